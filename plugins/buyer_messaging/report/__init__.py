"""Reporting: the day's summary (`day.py`), the reporting Assets, the weekly digest, the coverage report."""
