"""Property-based fuzz of the record parsers (Hypothesis): 1,000 mutated records per stream
(orders v0, order items v0, orders 2026-01-01, returns rows), from valid records of Amazon's
models (tests/record_mutations.py).

For every mutant the parser either returns rows that every staging column accepts, or raises
its rejection error; never anything else. A rejection is keyed short and stable, and keeps
neither buyer PII nor anything Postgres would refuse. The DB round trip of the same mutants
is tests/integration/extract/test_fuzz_staging.py.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from record_mutations import FUZZ, ITEM_V0, JUNK, ORDER_2026, ORDER_V0, PII, RETURN_ROW, mutated

from buyer_messaging.extract import records
from buyer_messaging.extract.orders_2026 import parse_order_2026
from buyer_messaging.extract.parse import RecordError, parse_item, parse_order, rejection
from buyer_messaging.extract.returns import ReturnRecordError, _storable_return, rejected_return
from buyer_messaging.extract.returns_store import RETURN_KEY

ORDER_KEYS = ("account_id", "amazon_order_id", "order_item_id", "package_reference_id")


def _rows_of(stream: str, record: Any) -> list[dict[str, Any]]:
    if stream == "orders_v0":
        return [parse_order(record, "acct", salt="s")]
    if stream == "items_v0":
        return [parse_item(record, "acct", ORDER_V0["AmazonOrderId"], entry=0)]
    if stream == "orders_2026":
        order, items, shipments = parse_order_2026(record, "acct", salt="s")
        return [order, *items, *shipments]
    return [_storable_return(record, "acct")]


def _check_accepted(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> None:
    for row in rows:
        assert records.column_problem(row, keys) is None, row
        for name in ("raw", "items"):
            if name in row:
                assert records.storage_problem(row[name]) is None
                json.dumps(row[name], allow_nan=False)
        for column, value in row.items():
            if isinstance(value, str):
                assert records.storage_problem(value) is None, column


def _check_rejected(key: str, reason: str, kept: Any) -> None:
    assert 0 < len(key) <= 200 and records.storage_problem(key) is None
    assert records.storage_problem(reason) is None and len(reason) < 2_000
    assert records.storage_problem(kept) is None
    text = json.dumps(kept, allow_nan=False, ensure_ascii=False) + reason
    assert len(text) < 200_000
    for pii in PII:
        assert pii not in text


SEEDS = {
    "orders_v0": ORDER_V0,
    "items_v0": ITEM_V0,
    "orders_2026": ORDER_2026,
    "returns": RETURN_ROW,
}


@pytest.mark.parametrize("stream", list(SEEDS))
def test_a_mutated_record_is_staged_or_rejected_never_a_crash(stream):
    seen: Counter[str] = Counter()
    keys = RETURN_KEY if stream == "returns" else ORDER_KEYS

    @FUZZ
    @given(mutated(SEEDS[stream], cells=stream == "returns"))
    def check(record: Any) -> None:
        seen["records"] += 1
        original = copy.deepcopy(record) if not isinstance(record, float) else record
        try:
            rows = _rows_of(stream, record)
        except RecordError as err:
            seen["rejected"] += 1
            _check_rejected(*rejection(err, record))
        except ReturnRecordError as err:
            seen["rejected"] += 1
            _check_rejected(*rejected_return(err, record))
        else:
            seen["staged"] += 1
            _check_accepted(rows, keys)
        if not isinstance(record, float):  # NaN != NaN
            assert record == original  # parsing never changes what Amazon sent

    check()
    assert seen["records"] >= 1000
    # the mutations reach both outcomes, often: a fuzz that only ever rejects tests little
    assert seen["staged"] >= 100 and seen["rejected"] >= 300, seen


def test_the_seeds_are_valid_records(shared_dir):
    """The seeds parse, and they are what Amazon's models say (examples and schemas)."""
    jsonschema = pytest.importorskip("jsonschema")
    for stream, seed in SEEDS.items():
        assert _rows_of(stream, copy.deepcopy(seed))
    models = shared_dir / "spapi-models"
    v0 = json.loads((models / "ordersV0.json").read_text())
    new = json.loads((models / "orders_2026-01-01.json").read_text())
    for model, definition, seed in (
        (v0, "Order", ORDER_V0),
        (v0, "OrderItem", ITEM_V0),
        (new, "Order", ORDER_2026),
    ):
        jsonschema.validate(
            seed, {**model["definitions"][definition], "definitions": model["definitions"]}
        )
    examples = v0["paths"]["/orders/v0/orders"]["get"]["responses"]["200"]["examples"]
    [order] = examples["application/json"]["payload"]["Orders"]
    assert {k: v for k, v in ORDER_V0.items() if k != "OrderTotal"} == order
    path = v0["paths"]["/orders/v0/orders/{orderId}/orderItems"]["get"]["responses"]["200"]
    _assert_subtree(ITEM_V0, path["examples"]["application/json"]["payload"]["OrderItems"][0])
    path = new["paths"]["/orders/2026-01-01/orders"]["get"]["responses"]["200"]
    _assert_subtree(ORDER_2026, path["examples"]["application/json"]["orders"][0])


def _assert_subtree(part: Any, whole: Any, where: str = "") -> None:
    if isinstance(part, dict):
        assert isinstance(whole, dict), where
        for key, value in part.items():
            assert key in whole, f"{where}.{key}"
            _assert_subtree(value, whole[key], f"{where}.{key}")
    elif isinstance(part, list):
        assert isinstance(whole, list) and len(part) <= len(whole), where
        for n, value in enumerate(part):
            _assert_subtree(value, whole[n], f"{where}[{n}]")
    else:
        assert part == whole, where


@settings(FUZZ, max_examples=1000)
@given(JUNK | mutated(ORDER_2026))
def test_the_fast_storage_check_agrees_with_the_full_walk(value):
    slow = records._walk(value, 0, [records.MAX_RECORD_CHARS])
    assert (records.storage_problem(value) is None) == (slow is None)


def test_deep_nesting_is_caught_by_either_path():
    deep: Any = "bottom"
    for _ in range(records.MAX_DEPTH + 2):
        deep = [deep]
    assert records.storage_problem({"a": deep}) == (
        "a" + "[0]" * records.MAX_DEPTH,
        "nested deeper than 32 levels",
    )
    wide = {"items": [{"x": [n]} for n in range(50)]}  # many brackets, shallow
    assert records.storage_problem(wide) is None
