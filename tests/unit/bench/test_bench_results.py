"""The benchmark harness's output contract: bench/results.json is a list of
{name, value, unit, target, pass[, note]} and the table shows every figure. Fake figures; fast."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Figure, failed, passes, skipped  # noqa: E402
from bench.run import BENCHES, format_table, write_results  # noqa: E402

KEYS = {"name", "value", "unit", "target", "pass"}


def fake_figures() -> list[Figure]:
    return [
        Figure("send_efficiency", 0.97123456, "sends/allowed", ">= 0.95"),
        Figure("throttled_share", 0.02, "429s/requests", "<= 0.01", note="phase 1"),
        Figure("load_rows_per_s", 123456.7, "rows/s", None),
        skipped("lint_msgs_per_s", "msgs/s", ">= 5000", "linter not there yet"),
        failed("duplicates", "orders", "== 0", "RuntimeError: boom"),
    ]


def test_results_json_shape(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    write_results(fake_figures(), path)
    rows = json.loads(path.read_text())
    assert isinstance(rows, list) and len(rows) == 5
    for row in rows:
        assert KEYS <= set(row), row
        assert set(row) <= KEYS | {"note"}, row
        assert isinstance(row["name"], str) and isinstance(row["unit"], str)
        assert row["value"] is None or isinstance(row["value"], int | float)
        assert row["target"] is None or isinstance(row["target"], str)
        assert row["pass"] in (True, False, None)
    by_name = {r["name"]: r for r in rows}
    assert by_name["send_efficiency"] == {
        "name": "send_efficiency", "value": 0.9712, "unit": "sends/allowed", "target": ">= 0.95", "pass": True,
    }  # fmt: skip
    assert by_name["throttled_share"]["pass"] is False
    assert by_name["load_rows_per_s"]["pass"] is None  # no target, no verdict
    assert (
        by_name["lint_msgs_per_s"]["value"] is None and by_name["lint_msgs_per_s"]["pass"] is None
    )
    assert by_name["duplicates"]["pass"] is False  # a crashed benchmark fails its target


def test_table_lists_every_figure() -> None:
    rows = [f.to_json() for f in fake_figures()]
    table = format_table(rows)
    lines = table.splitlines()
    assert lines[0].split() == ["figure", "value", "unit", "target", "pass"]
    for row in rows:
        assert any(line.startswith(row["name"] + " ") for line in lines), row["name"]
    assert "PASS" in table and "FAIL" in table and "skip" in table
    assert "linter not there yet" in table


@pytest.mark.parametrize(
    ("value", "target", "expected"),
    [(0.95, ">= 0.95", True), (0.0, "== 0", True), (1, "== 0", False), (9.9, "< 10", True), (12.0, "<= 12", True),
     (5.1, "<= 5", False), (None, ">= 1", None), (3.0, None, None)],
)  # fmt: skip
def test_targets(value: float | None, target: str | None, expected: bool | None) -> None:
    assert passes(value, target) is expected


def test_every_declared_target_parses() -> None:
    for figures in BENCHES.values():
        for _, _, target in figures:
            passes(1.0, target)
