"""Extraction: orders and returns from SP-API into `staging`."""
