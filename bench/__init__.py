"""Benchmarks for buyer-messaging: `make bench` / `make bench-quick` (see bench/README.md)."""
