"""End to end: the emulator mixes malformed records of every kind into the order pages
(`malformed_order` + `malformed_kinds`, spapi_emulator/README.md); the extract_orders task,
as Airflow runs it (accounts file, connections as AIRFLOW_CONN_*, the real python-amazon-sp-api
client over HTTP), completes the day, rejects exactly the malformed records with reasons
naming their field, stages the rest, and says how many it rejected. A re-run changes nothing.

Ground truth: the same day from an emulator with the same seed and no faults (what the day
holds), and the emulator's own record of which orders it malformed, and how.
"""

from __future__ import annotations

import json
import logging

import pytest
from extract_helpers import NOW, TIME_SCALE, rows, staging_hashes
from support import postgres_connection_json, spapi_connection_json

from buyer_messaging import tasks
from spapi_emulator.faults import MALFORMED_KINDS, Faults

pytestmark = pytest.mark.integration

DAY = {
    "data_interval_start": NOW.replace(day=18, hour=0),
    "data_interval_end": NOW.replace(day=19, hour=0),
}
FAULTS = {"malformed_order": 0.3, "malformed_kinds": list(MALFORMED_KINDS)}
# the field each kind's rejection names, per API
FIELD = {
    "v0": {
        "missing_purchase_date": "PurchaseDate", "unknown_status": "OrderStatus",
        "wrong_currency": "OrderTotal.CurrencyCode", "buyer_info_not_object": "BuyerInfo",
        "huge_number": "NumberOfItemsShipped", "nul_byte": "ShipServiceLevel",
        "wrong_type_integer": "NumberOfItemsUnshipped", "wrong_type_boolean": "IsPrime",
        "unhashable_status": "OrderStatus",
    },
    "2026-01-01": {
        "missing_purchase_date": "createdTime", "unknown_status": "fulfillment.fulfillmentStatus",
        "wrong_currency": "proceeds.grandTotal.currencyCode", "buyer_info_not_object": "buyer",
        "huge_number": "orderItems[].quantityOrdered", "nul_byte": "salesChannel.channelName",
        "wrong_type_integer": "orderItems[].quantityOrdered", "wrong_type_boolean": "programs",
        "unhashable_status": "fulfillment.fulfillmentStatus",
    },
}  # fmt: skip
# kinds whose record has no Amazon order id left to name it by
UNNAMED = {"order_not_object", "huge_order_id", "sql_order_id"}


def _run_day(monkeypatch, tmp_path, dsn: str, url: str, account: str, api: str) -> dict:
    accounts = tmp_path / f"{account}.yaml"
    accounts.write_text(
        f"accounts:\n  - id: {account}\n    marketplace: US\n    orders_api: '{api}'\n    lookback_days: 0\n"
    )
    monkeypatch.setenv("BUYER_MESSAGING_ACCOUNTS", str(accounts))
    monkeypatch.setenv("AIRFLOW_CONN_MESSAGING_WAREHOUSE", postgres_connection_json(dsn))
    monkeypatch.setenv(f"AIRFLOW_CONN_SPAPI_{account.upper()}", spapi_connection_json(url))
    return tasks.extract_orders(account, DAY)


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.mark.parametrize("api", ["v0", "2026-01-01"])
def test_a_day_with_malformed_records_completes_and_rejects_exactly_them(
    api, wh, fresh_warehouse, emulator_factory, monkeypatch, tmp_path
):
    clean = emulator_factory(seed=11, orders_per_day=100, time_scale=TIME_SCALE, now=NOW)
    faulty = emulator_factory(
        seed=11, orders_per_day=100, time_scale=TIME_SCALE, now=NOW, faults=FAULTS
    )
    tag = api[:2]
    truth = _run_day(monkeypatch, tmp_path, fresh_warehouse, clean.url, f"clean_{tag}", api)
    day = {
        r["amazon_order_id"]
        for r in rows(
            wh, "SELECT amazon_order_id FROM staging.orders WHERE account_id = %s", f"clean_{tag}"
        )
    }
    assert truth["rejected"] == 0 and len(day) == truth["orders"] > 100
    faults = Faults(FAULTS, seed=11)
    kinds = {oid: faults.malformed_kind(oid) for oid in day}
    malformed = {oid for oid, kind in kinds.items() if kind}
    assert len(malformed) >= 10 and set(kinds.values()) - {None} >= {
        "buyer_info_not_object",
        "nul_byte",
    }

    account = f"mal_{tag}"
    # the task's summary line, read from its logger (where Airflow's logging sends stdout
    # depends on what earlier tests in the process configured)
    summary = _Lines()
    logging.getLogger("buyer_messaging").addHandler(summary)
    try:
        result = _run_day(monkeypatch, tmp_path, fresh_warehouse, faulty.url, account, api)
    finally:
        logging.getLogger("buyer_messaging").removeHandler(summary)
    assert (result["orders"], result["rejected"]) == (len(day) - len(malformed), len(malformed))
    logged = "\n".join(summary.lines)
    assert (
        f"{result['orders']} orders" in logged
        and f"{len(malformed)} rejected (by field: " in logged
    )
    staged = rows(wh, "SELECT amazon_order_id FROM staging.orders WHERE account_id = %s", account)
    assert {r["amazon_order_id"] for r in staged} == day - malformed
    rejected = rows(
        wh,
        "SELECT record_key, reason, raw FROM staging.rejected_records WHERE account_id = %s",
        account,
    )
    assert len(rejected) == len(malformed)
    by_key = {r["record_key"]: r for r in rejected}
    for oid in malformed:
        if kinds[oid] in UNNAMED:
            continue
        reason = by_key[oid]["reason"]
        assert reason.startswith(f"order {oid}: field {FIELD[api][kinds[oid]]}"), (
            kinds[oid],
            reason,
        )
    unnamed = [r for r in rejected if r["record_key"].startswith("?")]
    assert len(unnamed) == sum(kinds[oid] in UNNAMED for oid in malformed)
    assert all(len(r["record_key"]) <= 200 and len(r["reason"]) < 1000 for r in rejected)
    kept = json.dumps([r["raw"] for r in rejected])
    assert "@marketplace.amazon" not in kept and "DROP TABLE" not in "".join(by_key)

    before = staging_hashes(wh, account, ("orders", "items", "shipments", "rejected"))
    again = _run_day(monkeypatch, tmp_path, fresh_warehouse, faulty.url, account, api)
    assert again == result
    assert staging_hashes(wh, account, ("orders", "items", "shipments", "rejected")) == before
