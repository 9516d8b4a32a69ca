"""The linter's own, larger evaluation set (generate.py, cases.jsonl) and its scoring."""
