"""The fuzz's DB round trip: mutated records per stream (tests/record_mutations.py), parsed,
then written to a real Postgres staging schema by the product's own writers in batches; no
batch may fail, and every staged row and every rejection is found there afterwards.

The pure-parse fuzz (1,000 per stream) is tests/unit/extract/test_fuzz_records.py; this one
runs the same 1,000 per stream, written 200 to a transaction (~30 s in all).
"""

from __future__ import annotations

from typing import Any

import psycopg2
import pytest
from extract_helpers import rows
from hypothesis import given, settings
from record_mutations import FUZZ, ITEM_V0, ORDER_2026, ORDER_V0, RETURN_ROW, mutated

from buyer_messaging.extract import returns_store as returns_sql
from buyer_messaging.extract import store as staging
from buyer_messaging.extract.orders_2026 import parse_order_2026
from buyer_messaging.extract.parse import RecordError, parse_item, parse_order, rejection
from buyer_messaging.extract.records import short
from buyer_messaging.extract.returns import ReturnRecordError, _storable_return, rejected_return
from buyer_messaging.extract.source import OrderPage, write_page
from buyer_messaging.warehouse.connection import transaction

EXAMPLES = 1000
BATCH = 200
SEEDS = {
    "orders_v0": ORDER_V0,
    "items_v0": ITEM_V0,
    "orders_2026": ORDER_2026,
    "returns": RETURN_ROW,
}
ID_FIELD = {"orders_v0": "AmazonOrderId", "orders_2026": "orderId", "returns": "order-id"}


def _entries(stream: str, account: str) -> list[tuple[str, Any]]:
    """("rows", OrderPage or list of returns) or ("reject", reject) for each mutant."""
    out: list[tuple[str, Any]] = []

    @settings(FUZZ, max_examples=EXAMPLES)
    @given(mutated(SEEDS[stream], cells=stream == "returns"))
    def parse(record: Any) -> None:
        order_id = f"902-{len(out) // 10_000_000:07d}-{len(out) % 10_000_000:07d}"
        field = ID_FIELD.get(stream)
        if isinstance(record, dict) and field and record.get(field) == SEEDS[stream][field]:
            record[field] = order_id  # distinct orders, so the rows do not all overwrite one
        page = OrderPage()
        try:
            if stream == "orders_v0":
                page.orders.append(parse_order(record, account))
            elif stream == "items_v0":
                page.orders.append(parse_order({**ORDER_V0, "AmazonOrderId": order_id}, account))
                page.items.append(parse_item(record, account, order_id))
            elif stream == "orders_2026":
                order, items, shipments = parse_order_2026(record, account)
                page.orders.append(order)
                page.items.extend(items)
                page.shipments.extend(shipments)
            else:
                out.append(("rows", [_storable_return(record, account)]))
                return
        except RecordError as err:
            out.append(("reject", rejection(err, record)))
            return
        except ReturnRecordError as err:
            out.append(("reject", rejected_return(err, record)))
            return
        out.append(("rows", page))

    parse()
    return out


def _write(conn: Any, stream: str, account: str, entries: list[tuple[str, Any]]) -> None:
    page = OrderPage()
    returns: list[dict[str, Any]] = []
    for kind, value in entries:
        if kind == "reject":
            page.rejects.append(value)
        elif stream == "returns":
            returns.extend(value)
        else:
            page.orders.extend(value.orders)
            page.items.extend(value.items)
            page.shipments.extend(value.shipments)
    with transaction(conn) as cur:
        if stream == "returns":
            returns_sql.upsert_returns(cur, returns)
            staging.reject_records(cur, account, "returns", page.rejects)
        else:
            write_page(cur, account, page, provides_shipments=stream == "orders_2026")


@pytest.mark.parametrize("stream", list(SEEDS))
def test_what_the_parsers_accept_upserts_and_what_they_reject_is_kept(wh, stream):
    account = f"fuzz_{stream}"
    entries = _entries(stream, account)
    assert len(entries) >= EXAMPLES
    for start in range(0, len(entries), BATCH):
        batch = entries[start : start + BATCH]
        try:
            _write(wh, stream, account, batch)
        except (psycopg2.Error, ValueError):  # psycopg2 refuses a NUL with a ValueError
            for entry in batch:  # name the record Postgres refused
                try:
                    _write(wh, stream, account, [entry])
                except (psycopg2.Error, ValueError) as err:
                    pytest.fail(f"{stream}: Postgres refused {short(entry, 400)}: {err}")
            raise
    # a batch's staged records clear earlier rejections of their keys, then its rejections land
    rejected: set[str] = set()
    for start in range(0, len(entries), BATCH):
        batch = entries[start : start + BATCH]
        for kind, value in batch:
            if kind == "rows" and stream == "returns":
                rejected -= {r["record_key"] for r in value}
            elif kind == "rows":
                rejected -= {o["amazon_order_id"] for o in value.orders}
        rejected |= {value[0] for kind, value in batch if kind == "reject"}
    found = rows(
        wh, "SELECT record_key FROM staging.rejected_records WHERE account_id = %s", account
    )
    assert {r["record_key"] for r in found} == rejected
    if stream == "returns":
        staged = {
            (r["amazon_order_id"], r["return_key"], r["line_key"])
            for e in entries
            if e[0] == "rows"
            for r in e[1]
        }
        found = rows(
            wh,
            "SELECT amazon_order_id, return_key, line_key FROM staging.returns WHERE account_id = %s",
            account,
        )
        assert {tuple(r.values()) for r in found} == staged
    else:
        staged = {o["amazon_order_id"] for e in entries if e[0] == "rows" for o in e[1].orders}
        found = rows(
            wh, "SELECT amazon_order_id FROM staging.orders WHERE account_id = %s", account
        )
        assert {r["amazon_order_id"] for r in found} == staged
    assert len(staged) >= 40 and len(rejected) >= 100, (len(staged), len(rejected))
