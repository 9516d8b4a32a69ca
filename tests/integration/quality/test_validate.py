"""GX validation over staging: exactly the bad rows are quarantined, planning skips them, and
the gate fails only past the threshold, naming the expectation and the count."""

from datetime import UTC, date, datetime, timedelta

import pytest

from buyer_messaging.extract import store as staging
from buyer_messaging.extract.parse import parse_order
from buyer_messaging.plan.planner import plan_day
from buyer_messaging.quality.validate import QualityGateFailed, validate_orders
from buyer_messaging.warehouse.connection import transaction

pytestmark = pytest.mark.integration
DAY = date(2026, 11, 20)
START = datetime(2026, 11, 20, tzinfo=UTC)
WINDOW = (START - timedelta(days=30), START + timedelta(days=1))


def iso(m: datetime) -> str:
    return m.strftime("%Y-%m-%dT%H:%M:%SZ")


def good(i: int) -> dict:
    edd = START - timedelta(days=10)
    return {
        "AmazonOrderId": f"111-0000000-{i:07d}", "MarketplaceId": "ATVPDKIKX0DER", "OrderStatus": "Shipped",
        "PurchaseDate": iso(edd - timedelta(days=4)), "LastUpdateDate": iso(edd - timedelta(days=3)),
        "EarliestDeliveryDate": iso(edd), "LatestDeliveryDate": iso(edd + timedelta(days=2)),
        "OrderTotal": {"CurrencyCode": "USD", "Amount": "25.00"},
    }  # fmt: skip


def load(conn, raws):
    with transaction(conn) as cur:
        staging.upsert_orders(cur, "q", [parse_order(r, "q") for r in raws], [])


def bad_delivery(i: int) -> dict:
    raw = good(i)  # the window ends before it starts
    raw["LatestDeliveryDate"], raw["EarliestDeliveryDate"] = (
        raw["EarliestDeliveryDate"],
        raw["LatestDeliveryDate"],
    )
    return raw


def bad_total(i: int) -> dict:
    raw = good(i)
    raw["OrderTotal"] = {"CurrencyCode": "USD", "Amount": "-3.00"}
    return raw


def ships_before_purchase(i: int) -> dict:
    raw = good(i)
    raw["EarliestShipDate"] = iso(datetime.fromisoformat(raw["PurchaseDate"]) - timedelta(hours=2))
    return raw


def delivers_before_shipping(i: int) -> dict:
    raw = good(i)  # the ship window opens after the promised delivery
    raw["EarliestShipDate"] = iso(
        datetime.fromisoformat(raw["EarliestDeliveryDate"]) + timedelta(hours=1)
    )
    raw["LatestShipDate"] = iso(
        datetime.fromisoformat(raw["EarliestDeliveryDate"]) + timedelta(days=1)
    )
    return raw


def test_bad_rows_are_quarantined_and_not_planned(wh, fresh_warehouse, tmp_path):
    load(wh, [good(i) for i in range(40)] + [bad_delivery(100), bad_total(101), ships_before_purchase(102),
                                              delivers_before_shipping(103)])  # fmt: skip
    outcome = validate_orders(wh, account_id="q", window=WINDOW, run_day=DAY,
                              max_bad_share=0.10, docs_dir=tmp_path)  # fmt: skip
    assert set(outcome.bad_rows) == {f"111-0000000-{i:07d}" for i in (100, 101, 102, 103)}
    assert "latest_delivery_date,earliest_delivery_date" in outcome.bad_rows["111-0000000-0000100"]
    assert "order_total" in outcome.bad_rows["111-0000000-0000101"]
    assert "earliest_ship_date,purchase_date" in outcome.bad_rows["111-0000000-0000102"]
    assert outcome.bad_rows["111-0000000-0000103"] == (
        "orders.expect_column_pair_values_a_to_be_greater_than_b(earliest_delivery_date,earliest_ship_date)"
    )
    with wh.cursor() as cur:
        cur.execute(
            "SELECT amazon_order_id, quarantine_reason FROM staging.orders WHERE quarantined ORDER BY 1"
        )
        assert dict(cur.fetchall()) == outcome.bad_rows
        cur.execute("SELECT rows_checked, rows_bad, success FROM quality.runs")
        assert cur.fetchall() == [(44, 4, True)]
    plan_day(
        wh,
        account_id="q",
        kinds=("review_request",),
        run_day=DAY,
        day=(START, START + timedelta(days=1)),
    )
    with wh.cursor() as cur:
        cur.execute("SELECT amazon_order_id FROM messaging.outbox")
        planned = {r[0] for r in cur.fetchall()}
    assert len(planned) == 40 and not planned & set(outcome.bad_rows)
    assert outcome.alerts == []  # the quarantine's SQL found exactly the rows GX counted
    assert (tmp_path / "q" / f"{DAY}.json").exists()
    # GX Data Docs, HTML, per run: the index and a page per suite validated
    assert outcome.docs_path == str(tmp_path / "q" / str(DAY) / "index.html")
    pages = {
        p.parent.parent.parent.name
        for p in (tmp_path / "q" / str(DAY) / "validations").rglob("*.html")
    }
    assert pages == {"orders", "order_items", "returns"}
    index = (tmp_path / "q" / str(DAY) / "index.html").read_text()
    for suite in ("orders", "order_items", "returns"):  # the index links each suite and its run
        assert f"expectations/{suite}.html" in index and f"validations/{suite}/" in index
    # GX's fonts and styles once for every account and day: the page's links still resolve
    assert (tmp_path / "q" / str(DAY) / "static").is_symlink()
    assert (
        tmp_path / "q" / str(DAY) / "static" / "styles" / "data_docs_default_styles.css"
    ).is_file()
    assert 'href="./static/images/favicon.ico"' in index


def test_gate_fails_past_the_threshold_naming_expectation_and_count(wh, fresh_warehouse, tmp_path):
    load(wh, [good(i) for i in range(10)] + [bad_total(100 + i) for i in range(3)])
    with pytest.raises(QualityGateFailed) as err:
        validate_orders(wh, account_id="q", window=WINDOW, run_day=DAY, max_bad_share=0.05,
                        docs_dir=tmp_path)  # fmt: skip
    message = str(err.value)
    assert "23.1% of orders and returns are bad" in message
    assert "order_total" in message and "3 rows" in message
    assert message.endswith(
        f"Data Docs: {tmp_path / 'q' / str(DAY) / 'index.html'}"
    )  # where to look
    with wh.cursor() as cur:  # the failure is recorded, and the rows stay quarantined
        cur.execute("SELECT success FROM quality.runs")
        assert cur.fetchall() == [(False,)]
        cur.execute("SELECT count(*) FROM staging.orders WHERE quarantined")
        assert cur.fetchone()[0] == 3


def test_a_bad_item_quarantines_its_order_and_a_drop_to_zero_is_an_alert(wh, fresh_warehouse):
    from buyer_messaging.extract.parse import parse_item

    raws = [good(i) for i in range(30)]
    load(wh, raws)
    items = [
        parse_item({"OrderItemId": f"it{i}", "QuantityOrdered": 0 if i == 3 else 1,
                    "ItemPrice": {"CurrencyCode": "EUR" if i == 4 else "USD", "Amount": "5.00"}},
                   "q", raws[i]["AmazonOrderId"])
        for i in range(30)
    ]  # fmt: skip
    with transaction(wh) as cur:
        cur.executemany(
            "INSERT INTO staging.order_items (account_id, amazon_order_id, order_item_id, quantity_ordered,"
            " item_price, currency, raw) VALUES (%s, %s, %s, %s, %s, %s, '{}')",
            [(i["account_id"], i["amazon_order_id"], i["order_item_id"], i["quantity_ordered"],
              i["item_price"], i["currency"]) for i in items],
        )  # fmt: skip
    # the orders were last updated 13 days before DAY: DAY and the day before are empty...
    empty_day = (START, START + timedelta(days=1))
    outcome = validate_orders(wh, account_id="q", window=WINDOW, run_day=DAY,
                              max_bad_share=0.10, day=empty_day)  # fmt: skip
    assert set(outcome.bad_rows) == {raws[3]["AmazonOrderId"], raws[4]["AmazonOrderId"]}
    assert "quantity_ordered" in outcome.bad_rows[raws[3]["AmazonOrderId"]]
    assert "marketplace,currency" in outcome.bad_rows[raws[4]["AmazonOrderId"]]
    assert outcome.alerts == []  # ...so no drop: nothing the day before either
    updated_day = START - timedelta(days=13)
    outcome = validate_orders(wh, account_id="q", window=WINDOW, run_day=DAY,
                              max_bad_share=0.10, day=(updated_day + timedelta(days=1), updated_day + timedelta(days=2)))  # fmt: skip
    assert outcome.alerts == ["row count dropped to 0 (day before: 30)"]


def test_bad_returns_are_quarantined_and_get_no_confirmation(wh, fresh_warehouse, tmp_path):
    from buyer_messaging.extract.returns import parse_return
    from buyer_messaging.extract.returns_store import upsert_returns

    load(wh, [good(i) for i in range(7)])

    def line(i, rma, **over):
        row = {
            "order-id": f"111-0000000-{i:07d}", "order-date": iso(START - timedelta(days=14)),
            "amazon-rma-id": rma, "return-request-date": iso(START - timedelta(days=5)),
            "return-delivery-date": iso(START - timedelta(hours=12)), "merchant-sku": f"SKU-{rma}",
            "return-quantity": "1", "order-quantity": "2", "currency-code": "USD",
            "order-amount": "25.00", "refunded-amount": "12.50",
        }  # fmt: skip
        return parse_return({**row, **over}, "q")

    with transaction(wh) as cur:
        upsert_returns(cur, [
            line(1, "ok1", **{"return-request-status": "Approved"}),
            line(2, "ok2"), line(2, "over-refund", **{"refunded-amount": "40.00"}),  # more than the order
            line(3, "too-many", **{"return-quantity": "3"}),  # 3 of 2 ordered
            line(4, "before-order", **{"return-request-date": iso(START - timedelta(days=20))}),
            line(5, "wrong-currency", **{"currency-code": "EUR"}),  # a US order refunded in euros
            line(6, "odd-status", **{"return-request-status": "Teleported"}),  # not a report status
        ])  # fmt: skip
    outcome = validate_orders(wh, account_id="q", window=WINDOW, run_day=DAY,
                              max_bad_share=0.9, docs_dir=tmp_path)  # fmt: skip
    assert set(outcome.bad_returns) == {f"111-0000000-{i:07d}" for i in (2, 3, 4, 5, 6)}
    assert "refunded_amount" in outcome.bad_returns["111-0000000-0000002"]
    assert "return_quantity" in outcome.bad_returns["111-0000000-0000003"]
    assert "return_request_date,order_date" in outcome.bad_returns["111-0000000-0000004"]
    assert "marketplace,currency" in outcome.bad_returns["111-0000000-0000005"]
    assert (
        outcome.bad_returns["111-0000000-0000006"]
        == "returns.expect_column_values_to_be_in_set(return_request_status)"
    )
    assert not outcome.bad_rows  # the orders themselves are fine
    with wh.cursor() as cur:  # every line of an order with a bad one; the others untouched
        cur.execute(
            "SELECT amazon_order_id, return_key FROM staging.returns WHERE quarantined ORDER BY 1, 2"
        )
        assert [r[1] for r in cur.fetchall()] == [
            "ok2", "over-refund", "too-many", "before-order", "wrong-currency", "odd-status"
        ]  # fmt: skip
        cur.execute("SELECT quarantine_reason FROM staging.returns WHERE return_key = 'ok2'")
        assert cur.fetchone()[0] == outcome.bad_returns["111-0000000-0000002"]
    plan_day(wh, account_id="q", kinds=("return_confirmation",), run_day=DAY, day=(START, START + timedelta(days=1)),
             enabled_despite_policy=("return_confirmation",), now=START + timedelta(days=1))  # fmt: skip
    with wh.cursor() as cur:
        cur.execute("SELECT amazon_order_id FROM messaging.outbox")
        assert [r[0] for r in cur.fetchall()] == ["111-0000000-0000001"]


def test_every_bad_row_is_quarantined_not_only_the_first_twenty(wh, fresh_warehouse):
    # GX lists unexpected rows up to partial_unexpected_count (20 by default), also on SQL
    load(wh, [good(i) for i in range(40)] + [bad_total(100 + i) for i in range(25)])
    outcome = validate_orders(wh, account_id="q", window=WINDOW, run_day=DAY, max_bad_share=0.5)
    assert len(outcome.bad_rows) == 25
    with wh.cursor() as cur:
        cur.execute("SELECT count(*) FROM staging.orders WHERE quarantined")
        assert cur.fetchone()[0] == 25


@pytest.mark.parametrize(("threshold", "fails"), [(0.10, False), (0.09, True)])
def test_the_gate_passes_at_the_threshold_and_fails_just_past_it(
    wh, fresh_warehouse, threshold, fails
):
    # 9 good orders and one bad: 10.0% bad. At the threshold the day runs (the bad order
    # quarantined); past it the task fails naming the expectation and the count.
    load(wh, [good(i) for i in range(9)] + [bad_total(100)])
    if fails:
        with pytest.raises(QualityGateFailed) as err:
            validate_orders(
                wh,
                account_id="q",
                window=WINDOW,
                run_day=DAY,
                max_bad_share=threshold,
            )
        assert "10.0% of orders and returns are bad (threshold 9.0%)" in str(err.value)
        assert "orders.expect_column_values_to_be_between(order_total): 1 rows" in str(err.value)
    else:
        outcome = validate_orders(wh, account_id="q", window=WINDOW, run_day=DAY,
                                  max_bad_share=threshold)  # fmt: skip
        assert set(outcome.bad_rows) == {"111-0000000-0000100"}
    with wh.cursor() as cur:  # quarantined either way, and the run recorded with its verdict
        cur.execute("SELECT amazon_order_id FROM staging.orders WHERE quarantined")
        assert cur.fetchall() == [("111-0000000-0000100",)]
        cur.execute("SELECT rows_checked, rows_bad, success FROM quality.runs")
        assert cur.fetchall() == [(10, 1, not fails)]


def test_a_duplicated_key_quarantines_every_copy_and_a_missing_value_is_not_a_bad_pair(
    wh, fresh_warehouse, monkeypatch
):
    # staging's primary keys keep duplicates out of the tables, so the orders query repeats one
    # order as a broken join would: both copies are unexpected, GX's count and the SQL's agree
    from buyer_messaging.quality import store as quality_sql

    load(wh, [good(i) for i in range(8)])
    with transaction(wh) as cur:  # an item without a price: no currency, so no pair to check
        cur.execute("INSERT INTO staging.order_items (account_id, amazon_order_id, order_item_id, quantity_ordered,"
                    " raw) VALUES ('q', '111-0000000-0000001', 'it1', 1, '{}')")  # fmt: skip
    twice = (
        quality_sql.ORDERS_IN_WINDOW
        + " UNION ALL"
        + quality_sql.ORDERS_IN_WINDOW.replace(
            "WHERE account_id = {account}",
            "WHERE amazon_order_id = '111-0000000-0000003' AND account_id = {account}",
        )
    )
    monkeypatch.setitem(quality_sql.QUERIES, "orders", twice)
    outcome = validate_orders(wh, account_id="q", window=WINDOW, run_day=DAY, max_bad_share=0.5)
    assert outcome.bad_rows == {
        "111-0000000-0000003": "orders.expect_column_values_to_be_unique(amazon_order_id)"
    }
    assert outcome.failures == [("orders.expect_column_values_to_be_unique", "amazon_order_id", 2)]
    assert outcome.alerts == []


def test_data_docs_of_every_day_and_a_rerun_share_one_copy_of_gx_static_files(
    wh, fresh_warehouse, tmp_path
):
    load(wh, [good(i) for i in range(3)])
    for run_day in (DAY, DAY + timedelta(days=1), DAY):  # the last: a re-run of the first day
        outcome = validate_orders(wh, account_id="q", window=WINDOW, run_day=run_day,
                                  max_bad_share=0.1, docs_dir=tmp_path)  # fmt: skip
        assert outcome.docs_path == str(tmp_path / "q" / str(run_day) / "index.html")
    from importlib.metadata import version

    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "q",
        f"static-gx-{version('great_expectations')}",
    ]
    for run_day in (DAY, DAY + timedelta(days=1)):
        static = tmp_path / "q" / str(run_day) / "static"
        assert static.is_symlink() and (static / "images" / "favicon.ico").is_file()


def test_great_expectations_reads_through_the_tasks_one_connection(wh, fresh_warehouse):
    """GX runs on the task's connection (its libpq options included), never a second one:
    backends on the warehouse database are polled from another database all along."""
    import threading

    import psycopg2

    from buyer_messaging.warehouse.connection import connect

    load(wh, [good(i) for i in range(30)] + [bad_total(101)])
    wh.close()
    conn = connect(f"{fresh_warehouse} options='-c statement_timeout=4321'")
    dbname = psycopg2.extensions.parse_dsn(fresh_warehouse)["dbname"]
    seen: list[int] = []
    done = threading.Event()

    def poll() -> None:
        watcher = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
        watcher.autocommit = True
        with watcher.cursor() as cur:
            while not done.is_set():
                cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (dbname,))
                seen.append(cur.fetchone()[0])
        watcher.close()

    watcher = threading.Thread(target=poll)
    watcher.start()
    try:
        outcome = validate_orders(
            conn, account_id="q", window=WINDOW, run_day=DAY, max_bad_share=0.5
        )
    finally:
        done.set()
        watcher.join()
    assert outcome.bad_order_count == 1 and "order_total" in outcome.bad_rows["111-0000000-0000101"]
    assert len(seen) > 10 and max(seen) == 1, seen
    with conn.cursor() as cur:  # still the task's, still open, its options intact
        cur.execute("SHOW statement_timeout")
        assert cur.fetchone()[0] == "4321ms"
    conn.close()
