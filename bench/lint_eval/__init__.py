"""The linter's own, larger evaluation set (generate.py, cases.jsonl) and its scoring."""


def run(quick: bool):  # type: ignore[no-untyped-def] - bench.run's module interface
    from bench.lint_eval.figures import run as _run

    return _run(quick)
