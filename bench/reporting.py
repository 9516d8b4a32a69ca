"""The coverage and outcome views (migration 0018) over 100,000 orders.

A warehouse is filled in SQL (not timed, ANALYZEd): 100,000 orders over 60 days with one to
three items (ASINs from a catalogue of 500), a review request per order (most sent, the rest
skipped with the planner's reasons, blocked, expired or pending), a shipment confirmation for
40% of them, seller feedback for 6%, returns for 3% and an issue-resolution case for 2% (half of them open).
Then, each the best of three runs (the machine is shared):

- `reporting_dashboard_100k_ms`: what one dashboard load asks (`ui.queries.coverage`,
  `outcomes` and `open_cases` for one account and 30 days), the real functions;
- `reporting_views_100k_ms`: every row of all seven views (coverage, coverage_by_asin,
  exclusions, quarantined_orders, message_outcomes, message_outcomes_by_asin, open_cases), as
  a BI tool exporting them would.

The note lists the scans of the coverage and outcomes queries' plans (EXPLAIN), to see an
index at work.
Quick mode: the same 100,000 orders, each timed once.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

from bench.common import Figure, connect, throwaway_database

ACCOUNT = "bench_rep"
VIEWS = ("coverage", "coverage_by_asin", "exclusions", "quarantined_orders", "message_outcomes",
         "message_outcomes_by_asin", "open_cases")  # fmt: skip
RUN_DAY = date(2026, 6, 30)

FILL = """
INSERT INTO staging.orders (account_id, amazon_order_id, marketplace_id, marketplace, order_status,
    purchase_date, last_update_date, raw, quarantined, quarantine_reason)
SELECT %(a)s, 'o' || n, CASE WHEN n %% 4 = 0 THEN 'A1PA6795UKMFR9' ELSE 'ATVPDKIKX0DER' END, 'US',
       'Shipped', %(day)s::timestamptz - make_interval(days => n %% 60, secs => n %% 86400),
       %(day)s::timestamptz - make_interval(days => n %% 60), '{}', n %% 500 = 0,
       CASE WHEN n %% 500 = 0 THEN 'order_total negative' END
FROM generate_series(1, %(n)s) n;

INSERT INTO staging.order_items (account_id, amazon_order_id, order_item_id, asin, raw)
SELECT %(a)s, 'o' || n, 'i' || k, 'B0' || lpad(((n * 7 + k * 13) %% 500)::text, 8, '0'), '{}'
FROM generate_series(1, %(n)s) n, generate_series(1, 1 + n %% 3) k;

INSERT INTO messaging.outbox (account_id, marketplace_id, amazon_order_id, kind, channel, status,
    planned_for, due_on, reason, sent_at)
SELECT %(a)s, o.marketplace_id, o.amazon_order_id, 'review_request', 'solicitations', s.status,
       (o.purchase_date)::date + 10, (o.purchase_date)::date + 10, s.reason,
       CASE WHEN s.status = 'sent' THEN o.purchase_date + interval '10 days 3 hours' END
FROM staging.orders o, LATERAL (SELECT (ARRAY['sent','sent','sent','sent','sent','sent','skipped',
        'skipped','blocked','expired','planned','failed'])[1 + (hashtext(o.amazon_order_id) & 2147483647) %% 12]
        AS status) st,
     LATERAL (SELECT st.status,
        CASE WHEN st.status = 'skipped' THEN (ARRAY['excluded: the order was cancelled',
             'excluded: the order was returned', 'suppressed: asked not to be contacted',
             'negative signal: 1-2 star rating (case 1)'])[1 + length(o.amazon_order_id) %% 4] END
        AS reason) s
WHERE o.account_id = %(a)s AND NOT o.quarantined;

INSERT INTO messaging.outbox (account_id, marketplace_id, amazon_order_id, kind, channel, status,
    planned_for, due_on, sent_at)
SELECT %(a)s, o.marketplace_id, o.amazon_order_id, 'shipment_confirmation', 'email_relay', 'sent',
       o.purchase_date::date + 1, o.purchase_date::date + 1, o.purchase_date + interval '1 day'
FROM staging.orders o WHERE o.account_id = %(a)s AND NOT o.quarantined
  AND substr(o.amazon_order_id, 2)::int %% 5 < 2;

INSERT INTO staging.seller_feedback (account_id, amazon_order_id, marketplace_id, feedback_date, rating)
SELECT %(a)s, o.amazon_order_id, o.marketplace_id, o.purchase_date::date + 5 + n %% 70, 1 + n %% 5
FROM staging.orders o, LATERAL (SELECT substr(o.amazon_order_id, 2)::int AS n) x
WHERE o.account_id = %(a)s AND n %% 100 < 6;

INSERT INTO staging.returns (account_id, amazon_order_id, return_key, line_key, asin, order_date,
    return_request_date, return_quantity, raw)
SELECT %(a)s, i.amazon_order_id, 'rma-' || i.amazon_order_id, i.order_item_id, i.asin,
       o.purchase_date, o.purchase_date + interval '12 days', 1, '{}'
FROM staging.order_items i JOIN staging.orders o USING (account_id, amazon_order_id)
WHERE i.account_id = %(a)s AND i.order_item_id = 'i1' AND substr(o.amazon_order_id, 2)::int %% 100 < 3;

INSERT INTO messaging.cases (account_id, amazon_order_id, source, signal, signalled_on, opened_at, status)
SELECT %(a)s, o.amazon_order_id, 'feedback', '1-2 star rating', o.purchase_date::date + 6,
       o.purchase_date + interval '6 days', CASE WHEN n %% 2 = 0 THEN 'open' ELSE 'closed' END
FROM staging.orders o, LATERAL (SELECT substr(o.amazon_order_id, 2)::int AS n) x
WHERE o.account_id = %(a)s AND n %% 100 IN (7, 8);
"""


def _best_ms(fn: Any, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        best = min(best, (time.perf_counter() - started) * 1000)
    return best


def run(quick: bool) -> list[Figure]:
    from buyer_messaging.ui import queries

    # the figures name 100k: quick mode keeps the size and times one run instead of three
    size, runs = 100_000, 1 if quick else 3
    scale = "quick, one run: " if quick else "best of 3: "
    with throwaway_database("bm_bench_rep") as dsn:
        conn = connect(dsn)
        with conn, conn.cursor() as cur:
            cur.execute(FILL, {"a": ACCOUNT, "n": size, "day": RUN_DAY.isoformat()})
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
            cur.execute("SELECT count(*) FROM messaging.outbox")
            messages = cur.fetchone()[0]
        conn.autocommit = False
        days = (RUN_DAY - timedelta(days=29), RUN_DAY)

        def dashboard() -> None:
            queries.coverage(conn, [ACCOUNT], *days)
            queries.outcomes(conn, [ACCOUNT], *days)
            queries.open_cases(conn, [ACCOUNT])
            conn.rollback()

        def views() -> None:
            with conn.cursor() as cur:
                for view in VIEWS:
                    cur.execute(f"SELECT * FROM reporting.{view}")  # noqa: S608 - fixed names
                    cur.fetchall()
            conn.rollback()

        dashboard_ms = _best_ms(dashboard, runs)
        views_ms = _best_ms(views, runs)
        params = {"accounts": [ACCOUNT], "from": days[0], "to": days[1], "kind": None,
                  "marketplace": None}  # fmt: skip
        scans = []
        with conn.cursor() as cur:
            for name in ("COVERAGE", "OUTCOMES"):
                cur.execute("EXPLAIN " + getattr(queries, name), params)
                found = [r[0].split("(cost")[0].strip(" ->") for r in cur.fetchall()]
                scans.append(f"{name.lower()}: " + ", ".join(s for s in found if "Scan" in s))
            plan = "; ".join(scans)
        conn.close()
    what = f"{scale}{size:,} orders, {messages:,} outbox rows"
    return [
        Figure("reporting_dashboard_100k_ms", dashboard_ms, "ms", "< 2000",
               f"{what}; coverage + outcomes + open cases, 30 days, one account; scans: {plan[:400]}"),
        Figure("reporting_views_100k_ms", views_ms, "ms", "< 20000",
               f"{what}; every row of the {len(VIEWS)} views"),
    ]  # fmt: skip
