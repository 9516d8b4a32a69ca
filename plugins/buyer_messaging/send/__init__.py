"""Sending: rate-limited batches, exactly once, through every channel."""
