"""Planning: which messages are due, at most one per (account, order, kind), and why."""
