"""`buyer-messaging` command: migrate, demo, emulator, lint, explain, suppress, resolve, cases, ab-report, coverage."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date


def _migrate(args: argparse.Namespace) -> int:
    from buyer_messaging.warehouse.connection import connect
    from buyer_messaging.warehouse.migrate import migrate

    conn = connect(args.dsn)
    try:
        applied = migrate(conn)
    finally:
        conn.close()
    print("applied: " + ", ".join(applied) if applied else "warehouse is up to date")
    return 0


def _emulator(args: argparse.Namespace) -> int:
    try:
        from spapi_emulator.__main__ import main as emulator_main
    except ModuleNotFoundError as err:
        return _needs_checkout(err)
    return int(emulator_main(args.rest) or 0)


def _needs_checkout(err: ModuleNotFoundError) -> int:
    # the emulator and the demo are development tools: not in the wheel, nor in its dependencies
    print(
        f"error: {err.name} is not installed: the SP-API emulator and the demo run from a source"
        " checkout (`make demo`), or after `pip install 'buyer-messaging[demo]'` with the"
        " checkout's root on PYTHONPATH",
        file=sys.stderr,
    )
    return 2


def _lint(args: argparse.Namespace) -> int:
    from buyer_messaging.lint.command import run_jsonl

    return run_jsonl(args.jsonl, sys.stdout)


def _explain(args: argparse.Namespace) -> int:
    from buyer_messaging.plan.explain import explain

    return explain(args.account, args.order, dsn=args.dsn, out=sys.stdout)


def _suppress(args: argparse.Namespace) -> int:
    from buyer_messaging.plan.suppressions import UnknownBuyer, suppress, unsuppress
    from buyer_messaging.warehouse.connection import connect, transaction

    conn = connect(args.dsn)
    try:
        with transaction(conn) as cur:
            if args.remove:
                done = unsuppress(cur, args.account, args.order)
                print(
                    f"buyer of order {args.order}: "
                    + ("no longer suppressed" if done else "was not suppressed")
                )
            else:
                suppress(cur, args.account, args.order, args.reason)
                print(
                    f"buyer of order {args.order} ({args.account}): critical messages only from now on"
                )
    except UnknownBuyer as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    finally:
        conn.close()
    return 0


def _cases(args: argparse.Namespace) -> int:
    from buyer_messaging.signals.cases import close_case, list_cases
    from buyer_messaging.warehouse.connection import connect, transaction

    conn = connect(args.dsn)
    try:
        with transaction(conn) as cur:
            if args.action == "close":
                case = close_case(
                    cur, args.account, args.order, by=args.by, resolution=args.resolution
                )
                if case is None:
                    print(
                        f"error: order {args.order} ({args.account}) has no open case",
                        file=sys.stderr,
                    )
                    return 1
                print(
                    f"case {case.id} (order {case.amazon_order_id}) closed by {case.closed_by}: {case.resolution}"
                )
                return 0
            cases = list_cases(cur, args.account, None if args.all else "open")
    finally:
        conn.close()
    for c in cases:
        closed = (
            f"  closed {c.closed_at:%Y-%m-%d} by {c.closed_by}: {c.resolution}"
            if c.closed_at
            else ""
        )
        print(
            f"{c.id}\t{c.amazon_order_id}\t{c.status}\t{c.signal}\topened {c.opened_at:%Y-%m-%d}{closed}"
        )
    print(f"{len(cases)} case(s)", file=sys.stderr)
    return 0


def _resolve(args: argparse.Namespace) -> int:
    from buyer_messaging.send.resolve import Decision, ResolveError, resolve
    from buyer_messaging.warehouse.connection import connect, transaction

    decision: Decision = "delivered" if args.delivered else "requeued"
    conn = connect(args.dsn)
    try:
        with transaction(conn) as cur:
            at = resolve(
                cur, account_id=args.account, order_id=args.order, kind=args.kind,
                decision=decision, by=args.by, reason=args.reason,
            )  # fmt: skip
    except ResolveError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    finally:
        conn.close()
    then = "recorded as sent" if args.delivered else "back to ready: the next run sends it"
    print(
        f"{args.kind} for order {args.order} ({args.account}): {then}; decided by {args.by} at {at:%Y-%m-%d %H:%M:%S %Z}"
    )
    return 0


def _ab_report(args: argparse.Namespace) -> int:
    from buyer_messaging.experiments.report import compare_all, format_comparison
    from buyer_messaging.warehouse.connection import connect, transaction

    conn = connect(args.dsn)
    try:
        with transaction(conn) as cur:
            comparisons = compare_all(cur, args.account, args.test, args.outcome)
    finally:
        conn.close()
    if not comparisons:
        print(f"no A/B test of account {args.account} has sent messages yet", file=sys.stderr)
        return 0
    print("\n\n".join(format_comparison(c) for c in comparisons))
    return 0


def _coverage(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime, timedelta

    from buyer_messaging.report.coverage import coverage_text
    from buyer_messaging.warehouse.connection import connect

    day_to = args.until or datetime.now(UTC).date()
    conn = connect(args.dsn)
    try:
        print(coverage_text(conn, args.account, day_to - timedelta(days=args.days - 1), day_to))
    finally:
        conn.rollback()
        conn.close()
    return 0


def _demo(args: argparse.Namespace) -> int:
    import importlib.util
    import os

    needed = ["spapi_emulator", "aiosmtpd"]
    if not os.environ.get("AIRFLOW_CONN_MESSAGING_WAREHOUSE"):
        needed.append("pgserver")  # the embedded warehouse
    for name in needed:
        if importlib.util.find_spec(name) is None:
            return _needs_checkout(ModuleNotFoundError(name=name))
    from buyer_messaging.demo import run_demo

    return run_demo(days=args.days, orders_per_day=args.orders_per_day, seed=args.seed)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="buyer-messaging", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("migrate", help="apply pending warehouse migrations")
    p.add_argument("--dsn", help="libpq DSN (default: Airflow connection messaging_warehouse)")
    p.set_defaults(func=_migrate)

    p = sub.add_parser(
        "emulator", help="run the local SP-API emulator (see python -m spapi_emulator -h)"
    )
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=_emulator)

    p = sub.add_parser("lint", help="lint messages against the communication policy")
    p.add_argument("--jsonl", required=True, help="file of {id, kind, locale, subject, body} lines")
    p.set_defaults(func=_lint)

    p = sub.add_parser("explain", help="why an order got (or did not get) each message")
    p.add_argument("--account", required=True)
    p.add_argument("--order", required=True)
    p.add_argument("--dsn", help="libpq DSN (default: Airflow connection messaging_warehouse)")
    p.set_defaults(func=_explain)

    p = sub.add_parser(
        "suppress",
        help="send the buyer of an order critical messages only (they asked not to be contacted)",
    )
    p.add_argument("--account", required=True)
    p.add_argument("--order", required=True, help="any order of the buyer")
    p.add_argument("--reason", default="buyer asked not to be contacted")
    p.add_argument("--remove", action="store_true", help="lift the suppression")
    p.add_argument("--dsn", help="libpq DSN (default: Airflow connection messaging_warehouse)")
    p.set_defaults(func=_suppress)

    p = sub.add_parser(
        "resolve", help="settle a delivery_unknown message: it was delivered, or send it again"
    )
    p.add_argument("--account", required=True)
    p.add_argument("--order", required=True)
    p.add_argument("--kind", required=True, help="e.g. unavailability_notice")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--delivered", action="store_true", help="the buyer has it (e.g. seen in Seller Central)"
    )
    which.add_argument(
        "--requeue", action="store_true", help="it never arrived: send it in the next run"
    )
    p.add_argument("--by", required=True, help="who decides (recorded)")
    p.add_argument("--reason", required=True, help="why (recorded)")
    p.add_argument("--dsn", help="libpq DSN (default: Airflow connection messaging_warehouse)")
    p.set_defaults(func=_resolve)

    p = sub.add_parser(
        "cases", help="issue-resolution cases opened by negative signals: list, close"
    )
    p.add_argument("action", choices=("list", "close"))
    p.add_argument("--account", required=True)
    p.add_argument("--order", help="with close: the case's order")
    p.add_argument("--by", help="with close: who resolved it")
    p.add_argument("--resolution", help="with close: how it was resolved")
    p.add_argument("--all", action="store_true", help="with list: closed cases too")
    p.add_argument("--dsn", help="libpq DSN (default: Airflow connection messaging_warehouse)")
    p.set_defaults(func=_cases)

    p = sub.add_parser(
        "ab-report", help="compare the variants of an account's A/B tests by outcome"
    )
    p.add_argument("--account", required=True)
    p.add_argument("--test", help="one test id (default: every test of the account)")
    p.add_argument(
        "--outcome",
        default="negative_feedback",
        choices=("negative_feedback", "negative_or_neutral_feedback", "returned_after"),
    )
    p.add_argument("--dsn", help="libpq DSN (default: Airflow connection messaging_warehouse)")
    p.set_defaults(func=_ab_report)

    p = sub.add_parser(
        "coverage", help="an account's candidates, exclusions by reason, sent and outcomes per kind"
    )
    p.add_argument("--account", required=True)
    p.add_argument("--days", type=int, default=30, help="the last N days up to --until, included")
    p.add_argument(
        "--until", type=date.fromisoformat, help="the last day, YYYY-MM-DD (default: today, UTC)"
    )
    p.add_argument("--dsn", help="libpq DSN (default: Airflow connection messaging_warehouse)")
    p.set_defaults(func=_coverage)

    p = sub.add_parser("demo", help="run the demo account's last three days against the emulator")
    p.add_argument("--days", type=int, default=3)
    p.add_argument("--orders-per-day", type=int, default=12)
    p.add_argument("--seed", type=int, default=42)
    p.set_defaults(func=_demo)

    args = parser.parse_args(argv)
    if (
        args.command == "cases"
        and args.action == "close"
        and not (args.order and args.by and args.resolution)
    ):
        parser.error("cases close needs --order, --by and --resolution")
    if hasattr(args, "dsn") and not args.dsn:
        from airflow.exceptions import AirflowNotFoundException

        from buyer_messaging.warehouse import connection

        try:
            args.dsn = connection.warehouse_dsn_outside_tasks(connection.WAREHOUSE_CONN_ID)
        except AirflowNotFoundException:
            print(
                f"buyer-messaging: no Airflow connection {connection.WAREHOUSE_CONN_ID!r} (create it, see"
                " README.md) and no --dsn",
                file=sys.stderr,
            )
            return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
