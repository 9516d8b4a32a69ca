"""Buyer signals: negative feedback and bad returns open issue-resolution cases."""
