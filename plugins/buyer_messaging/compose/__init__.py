"""Composing: each planned message rendered and linted (`stage.py`), its SQL (`store.py`)."""
