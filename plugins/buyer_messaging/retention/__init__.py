"""Retention: the maintenance DAG and PII purge (`stage.py`), its SQL (`store.py`)."""
