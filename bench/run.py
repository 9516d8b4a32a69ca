"""`python -m bench.run [--quick] [--only send,plan ...]`: run every benchmark, write
bench/results.json (a list of {name, value, unit, target, pass[, note]}) and print a table."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import traceback
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import Figure, failed, prepare_environment

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results.json"
SCRATCH = BENCH_DIR / "results"

# module -> the figures it reports (so a crashed module still shows up, failed, in the table)
BENCHES: dict[str, list[tuple[str, str, str | None]]] = {
    "send": [
        ("send_efficiency", "sends/allowed", ">= 0.95"),
        ("throttled_share", "429s/requests", "<= 0.01"),
        ("adapt_seconds", "s", "<= 5"),
        ("adapt_throttled_share", "429s/requests", "<= 0.03"),
        ("send_vs_fixed_sleep", "x", ">= 1.0"),
    ],
    "send_deadline": [
        ("send_deadline_misses_over_min", "share of review requests", "<= 0.01"),
        ("send_runs_blocked", "runs", "== 0"),
    ],
    "extract": [
        ("extract_efficiency", "pages/allowed", ">= 0.95"),
        ("extract_throttled_share", "429s/requests", "<= 0.01"),
        ("extract_vs_load_all_pages", "x", ">= 0.95"),
        ("extract_orders_per_hour", "orders/h", ">= 50000"),
    ],
    "plan": [
        ("plan_100k_s", "s", "< 10"),
        ("scaling_1m_over_100k", "x", "<= 12"),
        ("peak_rss_mb", "MB", "< 500"),
    ],
    "lint": [
        ("render_lint_100k_s", "s", "< 30"),
        ("lint_msgs_per_s", "msgs/s", ">= 5000"),
        ("lint_rules_rss_mb", "MB", "<= 60"),
    ],
    "render_memory": [("render_lint_peak_rss_mb_1m", "MB", "<= 300")],
    "connections": [("pg_connections_per_task", "connections", "<= 1")],
    "lint_eval": [
        ("lint_eval_block_recall", "blocked/must-block", ">= 0.99"),
        ("lint_eval_false_blocks", "blocked/must-pass", "<= 0.03"),
        ("lint_eval_category_recall", "found/expected", ">= 0.95"),
        ("lint_eval_dev_corpus_exact", "right/cases", "== 1"),
    ],
    "quality": [("validate_100k_s", "s", "< 60")],
    "load": [("bulk_load_speedup", "x", ">= 5"), ("load_rows_per_s", "rows/s", None)],
    "parse": [("dag_parse_ms_200_accounts", "ms", "<= 300")],
    "exactly_once": [
        ("duplicates", "orders", "== 0"),
        ("lost", "messages", "== 0"),
        ("concurrent_throttled_share", "429s/requests", None),
    ],
    "reporting": [
        ("reporting_dashboard_100k_ms", "ms", "< 2000"),
        ("reporting_views_100k_ms", "ms", "< 20000"),
    ],
    "reply_loss": [
        ("reply_loss_duplicates", "orders", "== 0"),
        ("reply_loss_lost", "messages", "== 0"),
        ("reply_loss_unknown_share_solicitations", "rows", "== 0"),
        ("reply_loss_unknown_share_messaging", "rows", None),
        ("reply_loss_unknown_share_email", "rows", None),
    ],
}


def write_results(figures: Iterable[Figure], path: Path = RESULTS) -> list[dict[str, Any]]:
    rows = [f.to_json() for f in figures]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    return rows


def merge_results(figures: Iterable[Figure], path: Path = RESULTS) -> list[dict[str, Any]]:
    """Replace the figures of the same names in an existing results file (in place, else
    appended), keep every other row: a partial run refreshes its own figures only."""
    new = [f.to_json() for f in figures]
    by_name = {r["name"]: r for r in new}
    rows = [by_name.pop(r["name"], r) for r in json.loads(path.read_text())]
    rows += [r for r in new if r["name"] in by_name]
    path.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    return rows


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "PASS" if value else "FAIL"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    header = ("figure", "value", "unit", "target", "pass")
    body = [
        (r["name"], _fmt(r["value"]), r["unit"], r["target"] or "-", _fmt(r["pass"]) if r["value"] is not None
         or r["pass"] is not None else "skip")
        for r in rows
    ]  # fmt: skip
    widths = [max(len(str(line[i])) for line in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
        for line in [header, *body]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  {r['name']}: {r['note']}" for r in rows if r.get("note")]
    return "\n".join(lines + (["", "notes:", *notes] if notes else []))


def run_bench(name: str, quick: bool) -> list[Figure]:
    started = time.monotonic()
    print(f"[bench] {name} ...", file=sys.stderr, flush=True)
    try:
        figures = importlib.import_module(f"bench.{name}").run(quick)
    except Exception as err:  # one broken benchmark must not hide the others
        traceback.print_exc()
        why = f"{type(err).__name__}: {err}"[:300]
        figures = [failed(fig, unit, target, why) for fig, unit, target in BENCHES[name]]
    print(f"[bench] {name} done in {time.monotonic() - started:.1f}s", file=sys.stderr, flush=True)
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.run", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="short windows and 10k/100k sizes (under 10 minutes: 8 min 36 s on a quiet 2-core machine)",
    )
    parser.add_argument("--only", default="", help=f"comma-separated subset of {','.join(BENCHES)}")
    parser.add_argument("--output", type=Path, default=None, help="default bench/results.json")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="with --only: update these figures in bench/results.json, keep the others",
    )
    args = parser.parse_args(argv)
    prepare_environment()
    names = [n for n in args.only.split(",") if n] or list(BENCHES)
    unknown = sorted(set(names) - set(BENCHES))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    started = time.monotonic()
    figures: list[Figure] = []
    for name in names:
        figures.extend(run_bench(name, args.quick))
    # a partial run (--only) goes to scratch unless asked otherwise: results.json is the full set
    output = args.output or (RESULTS if not args.only or args.merge else SCRATCH / "partial.json")
    if args.merge and output.is_file():
        rows = merge_results(figures, output)
    else:
        rows = write_results(figures, output)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    write_results(figures, SCRATCH / f"{stamp}{'-quick' if args.quick else ''}.json")
    print(format_table(rows))
    print(f"\n{len(rows)} figures in {time.monotonic() - started:.0f}s -> {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
