"""Data quality gates (Great Expectations, imported inside tasks only)."""
