"""Extraction under Amazon's failures: faults, crashes mid-way and re-runs end in the same staging."""

from __future__ import annotations

import httpx
import pytest
from extract_helpers import (
    NOW,
    ORDERS_WINDOW,
    RETURNS_WINDOW,
    TIME_SCALE,
    US,
    CrashAfter,
    InjectedCrash,
    caller,
    client,
    fast_polling,
    rows,
    staging_hashes,
)

from buyer_messaging.extract import returns as returns_mod
from buyer_messaging.extract import returns_store as returns_sql
from buyer_messaging.extract.returns import extract_returns
from buyer_messaging.extract.source import load_orders, order_source

pytestmark = pytest.mark.integration

SEED = 21
FAULTS = {
    "error_rate_500": 0.05,
    "error_rate_503": 0.05,
    "empty_error_body": 0.03,
    "truncated_pages": 0.15,
    "throttle_storm": {"every_s": 2.0, "duration_s": 0.2},
    # tokens expire mid-run, also inside one call's chain of retries (a loaded machine makes
    # that chain longer than 5 s): SpApiCaller refreshes each time, up to MAX_TOKEN_REFRESHES
    "expire_tokens_after_s": 5.0,
}
ORDERS_TABLES = ("orders", "items", "shipments", "rejected")


@pytest.fixture
def make(emulator_factory):
    def start(**kwargs):
        return emulator_factory(
            seed=SEED, orders_per_day=40, time_scale=TIME_SCALE, now=NOW, **kwargs
        )

    return start


def run_orders(wh, url, api, account_id, *, wrap=None, page_size=20, the_caller=None):
    c = the_caller or caller()
    api_client = client(api, url)
    if wrap:
        api_client = wrap(api_client)
    source = order_source(api, api_client, c, account_id=account_id, page_size=page_size)
    return load_orders(wh, source, c, account_id=account_id, window=ORDERS_WINDOW), c


def run_returns(wh, url, account_id, *, the_caller=None, batch_size=500):
    c = the_caller or caller()
    stats = extract_returns(
        wh, client("reports", url), c, account_id=account_id, window=RETURNS_WINDOW,
        marketplace_id=US, polling=fast_polling(), batch_size=batch_size,
    )  # fmt: skip
    return stats, c


def test_with_faults_on_staging_ends_as_after_a_clean_run(wh, make):
    clean, faulty = make(), make(faults=FAULTS)
    for api in ("v0", "2026-01-01"):
        tag = api.replace("-", "_")
        size = 20 if api == "v0" else 5  # searchOrders: more pages, more chances to meet faults
        run_orders(wh, clean.url, api, f"clean_{tag}", page_size=size)
        stats, c = run_orders(wh, faulty.url, api, f"faulty_{tag}", page_size=size)
        op = "getOrders" if api == "v0" else "searchOrders"
        met = sum(c.retries.values()) + sum(c.throttled.values())
        assert met and c.calls[op] >= stats.pages, (
            f"{api}: the faults should have been met: {c.summary()}"
        )
        assert staging_hashes(wh, f"faulty_{tag}", ORDERS_TABLES) == staging_hashes(
            wh, f"clean_{tag}", ORDERS_TABLES
        )
    run_returns(wh, clean.url, "clean_ret")
    _, c = run_returns(wh, faulty.url, "faulty_ret")
    assert staging_hashes(wh, "faulty_ret", ("returns", "rejected")) == staging_hashes(
        wh, "clean_ret", ("returns", "rejected")
    )
    assert staging_hashes(wh, "clean_ret", ("returns",))["returns"][0] > 10
    counters = httpx.get(f"{faulty.url}/_emulator/counters").json()
    assert sum(counters["errors"].values()) + sum(counters["throttled"].values()) > 0


def test_a_crash_inside_a_page_leaves_no_partial_page_and_a_rerun_completes(wh, make):
    server = make()
    run_orders(wh, server.url, "v0", "crash_ref")
    # 20 orders a page: the worker dies on the 31st getOrderItems, inside the second page
    with pytest.raises(InjectedCrash):
        run_orders(
            wh, server.url, "v0", "crash_v0", wrap=lambda c: CrashAfter(c, "get_order_items", 30)
        )
    landed = rows(wh, "SELECT amazon_order_id FROM staging.orders WHERE account_id = 'crash_v0'")
    assert len(landed) == 20, "exactly the first page, nothing of the page in flight"
    items = """SELECT amazon_order_id, order_item_id, item_price FROM staging.order_items
               WHERE account_id = %s AND amazon_order_id = ANY(%s) ORDER BY 1, 2"""
    ids = [r["amazon_order_id"] for r in landed]
    assert rows(wh, items, "crash_v0", ids) == rows(wh, items, "crash_ref", ids)  # whole orders
    assert (
        rows(wh, "SELECT count(*) AS n FROM staging.extract_runs WHERE account_id = 'crash_v0'")[0][
            "n"
        ]
        == 0
    )
    stats, _ = run_orders(wh, server.url, "v0", "crash_v0")
    assert stats.pages >= 3
    assert staging_hashes(wh, "crash_v0", ORDERS_TABLES) == staging_hashes(
        wh, "crash_ref", ORDERS_TABLES
    )


def test_a_crash_between_pages_of_search_orders_and_a_rerun(wh, make):
    server = make()
    run_orders(wh, server.url, "2026-01-01", "crash26_ref")
    with pytest.raises(InjectedCrash):
        run_orders(
            wh,
            server.url,
            "2026-01-01",
            "crash26",
            wrap=lambda c: CrashAfter(c, "search_orders", 2),
        )
    assert (
        rows(wh, "SELECT count(*) AS n FROM staging.orders WHERE account_id = 'crash26'")[0]["n"]
        == 40
    )
    # shipments of the committed pages only, each with its order
    orphans = """SELECT count(*) AS n FROM staging.shipments s WHERE account_id = 'crash26' AND NOT EXISTS
                 (SELECT 1 FROM staging.orders o WHERE o.account_id = s.account_id
                  AND o.amazon_order_id = s.amazon_order_id)"""
    assert rows(wh, orphans)[0]["n"] == 0
    run_orders(wh, server.url, "2026-01-01", "crash26")
    assert staging_hashes(wh, "crash26", ORDERS_TABLES) == staging_hashes(
        wh, "crash26_ref", ORDERS_TABLES
    )


def test_a_crash_between_returns_batches_and_a_rerun(wh, make, monkeypatch):
    server = make()
    run_returns(wh, server.url, "crashret_ref", batch_size=10)
    real = returns_sql.upsert_returns
    calls = {"n": 0}

    def dying(cur, batch, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            real(cur, batch, **kwargs)  # written inside the transaction, then the worker dies
            raise InjectedCrash("killed while writing batch 3")
        return real(cur, batch, **kwargs)

    monkeypatch.setattr(returns_sql, "upsert_returns", dying)
    with pytest.raises(InjectedCrash):
        run_returns(wh, server.url, "crashret", batch_size=10)
    assert (
        rows(wh, "SELECT count(*) AS n FROM staging.returns WHERE account_id = 'crashret'")[0]["n"]
        == 20
    )
    monkeypatch.setattr(returns_sql, "upsert_returns", real)
    run_returns(wh, server.url, "crashret", batch_size=10)
    assert staging_hashes(wh, "crashret", ("returns", "rejected")) == staging_hashes(
        wh, "crashret_ref", ("returns", "rejected")
    )


def test_a_crash_before_the_report_document_leaves_nothing_and_a_rerun_completes(wh, make):
    server = make()
    run_returns(wh, server.url, "crashdoc_ref")
    c = caller()
    dying = CrashAfter(client("reports", server.url), "get_report_document", 0)
    with pytest.raises(InjectedCrash):
        extract_returns(
            wh, dying, c, account_id="crashdoc", window=RETURNS_WINDOW, marketplace_id=US,
            polling=fast_polling(),
        )  # fmt: skip
    assert (
        rows(wh, "SELECT count(*) AS n FROM staging.returns WHERE account_id = 'crashdoc'")[0]["n"]
        == 0
    )
    run_returns(wh, server.url, "crashdoc")
    assert staging_hashes(wh, "crashdoc", ("returns",)) == staging_hashes(
        wh, "crashdoc_ref", ("returns",)
    )
    assert returns_mod.REPORT_TYPE == "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
