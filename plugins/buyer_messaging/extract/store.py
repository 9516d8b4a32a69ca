"""SQL of the `staging` schema: upserts keyed by natural keys, one transaction per batch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from psycopg2.extras import Json, execute_values

from buyer_messaging.warehouse.connection import one_row

if TYPE_CHECKING:
    from psycopg2.extensions import cursor as PgCursor

ORDER_COLUMNS = (
    "account_id", "amazon_order_id", "marketplace_id", "marketplace", "order_status",
    "fulfillment_channel", "purchase_date", "last_update_date", "earliest_ship_date",
    "latest_ship_date", "earliest_delivery_date", "latest_delivery_date", "order_total",
    "currency", "is_prime", "number_of_items_shipped", "number_of_items_unshipped",
    "buyer_hash", "raw",
)  # fmt: skip
ITEM_COLUMNS = (
    "account_id", "amazon_order_id", "order_item_id", "asin", "seller_sku", "title",
    "quantity_ordered", "quantity_shipped", "item_price", "currency", "raw",
)  # fmt: skip

# The Orders API listing: the order's details as Amazon lists them (details_from: its default,
# 'orders_api', on insert; set back from 'report' on update, when details_listed_at says the
# details arrived: the planner gives a critical kind that needed them its day, migration 0027)
_UPSERT_ORDERS = f"""
INSERT INTO staging.orders ({", ".join(ORDER_COLUMNS)}) VALUES %s
ON CONFLICT (account_id, amazon_order_id) DO UPDATE SET
    {", ".join(f"{c} = EXCLUDED.{c}" for c in ORDER_COLUMNS[2:])},
    details_from = 'orders_api',
    details_listed_at = CASE WHEN staging.orders.details_from = 'report' THEN now()
                             ELSE staging.orders.details_listed_at END,
    extracted_at = now()
WHERE staging.orders.raw IS DISTINCT FROM EXCLUDED.raw
   OR staging.orders.details_from <> 'orders_api'
"""

# The all-orders report: it carries the statuses, the channel and the dates, never the buyer
# or the delivery window. An order it is newer about takes its statuses and keeps every other
# column (what the listing stored is never overwritten with the report's NULLs, nor its `raw`,
# which holds the buyer's name and address for rendering); an order the listing staged later
# than the report saw it is left alone. details_from stays what it was ('report' on insert).
_REPORT_COLUMNS = ("order_status", "fulfillment_channel", "purchase_date", "last_update_date")
# A new order is inserted with its items already current (they are inserted with it);
# RETURNING says which rows were new (xmax = 0), so only the others are looked at again.
_UPSERT_REPORT_ORDERS = f"""
INSERT INTO staging.orders ({", ".join(ORDER_COLUMNS)}, details_from, items_as_of) VALUES %s
ON CONFLICT (account_id, amazon_order_id) DO UPDATE SET
    {", ".join(f"{c} = coalesce(EXCLUDED.{c}, staging.orders.{c})" for c in _REPORT_COLUMNS)},
    raw = CASE WHEN staging.orders.details_from = 'report' THEN EXCLUDED.raw
               ELSE staging.orders.raw END,
    extracted_at = now()
WHERE EXCLUDED.last_update_date > staging.orders.last_update_date
   OR (staging.orders.details_from = 'report' AND staging.orders.raw IS DISTINCT FROM EXCLUDED.raw)
RETURNING amazon_order_id, xmax = 0 AS inserted
"""

# of a batch of orders, those whose items are not of their staged last update (by the
# primary key: a join on unnest() let Postgres scan the account's orders once per batch)
_REPORT_ITEMS_WANTED = """
SELECT o.amazon_order_id, o.last_update_date FROM staging.orders o
WHERE o.account_id = %s AND o.amazon_order_id = ANY(%s)
  AND o.items_as_of IS DISTINCT FROM o.last_update_date
"""

_DELETE_ITEMS = """
DELETE FROM staging.order_items
WHERE account_id = %s AND amazon_order_id = ANY(%s)
"""

_ITEMS_AS_OF = """
UPDATE staging.orders SET items_as_of = last_update_date
WHERE account_id = %s AND amazon_order_id = ANY(%s)
  AND items_as_of IS DISTINCT FROM last_update_date
"""

_INSERT_ITEMS = f"INSERT INTO staging.order_items ({', '.join(ITEM_COLUMNS)}) VALUES %s"

# The all-orders report's type, which each of its lines keeps as `source` in `raw`
# (orders_report.REPORT_TYPE)
REPORT_LINE = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"
# the Orders API's items are about to replace the report's lines: from now on the staged items
# say who cancelled (migration 0029), which the planner waits for
_ITEMS_LISTED = """
UPDATE staging.orders o SET items_listed_at = now()
WHERE o.account_id = %s AND o.amazon_order_id = ANY(%s)
  AND EXISTS (SELECT 1 FROM staging.order_items i
              WHERE i.account_id = o.account_id AND i.amazon_order_id = o.amazon_order_id
                AND i.raw ->> 'source' = %s)
"""

_UPSERT_REJECTED = """
INSERT INTO staging.rejected_records (account_id, source, record_key, reason, raw) VALUES %s
ON CONFLICT (account_id, source, record_key) DO UPDATE SET
    reason = EXCLUDED.reason, raw = EXCLUDED.raw, seen_at = now()
"""

_CLEAR_REJECTED = """
DELETE FROM staging.rejected_records
WHERE account_id = %s AND source = %s AND record_key = ANY(%s)
"""

_RECORD_RUN = """
INSERT INTO staging.extract_runs
    (account_id, stream, window_start, window_end, records, pages, calls, throttled)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (account_id, stream, window_start, window_end) DO UPDATE SET
    records = EXCLUDED.records, pages = EXCLUDED.pages, calls = EXCLUDED.calls,
    throttled = EXCLUDED.throttled, finished_at = now()
"""

_HAS_LOADED = (
    "SELECT EXISTS (SELECT 1 FROM staging.extract_runs WHERE account_id = %s AND stream = %s)"
)

# The furthest end queried by a run that began at or before a moment: when it is earlier than
# that moment, the seconds between were never asked for.
_QUERIED_UNTIL = """
SELECT max(window_end) FROM staging.extract_runs
WHERE account_id = %s AND stream = %s AND window_start <= %s
"""


def _row(record: dict[str, Any], columns: Sequence[str]) -> tuple[Any, ...]:
    return tuple(Json(record[c]) if c == "raw" else record.get(c) for c in columns)


def upsert_orders(
    cur: PgCursor,
    account_id: str,
    orders: Sequence[dict[str, Any]],
    items: Sequence[dict[str, Any]],
    *,
    with_items: bool = True,
) -> None:
    """Upsert a batch of orders and replace their items (caller owns the transaction).

    `with_items=False`: the orders came without their items (Orders API v0 lists orders only);
    their staged items stay, to be replaced by `replace_items` when they are fetched."""
    if not orders:
        return
    # one key twice in one statement is an error in Postgres (a page listing an order twice):
    # the last copy wins, as a later page would
    orders = list({o["amazon_order_id"]: o for o in orders}.values())
    items = list({(i["amazon_order_id"], i["order_item_id"]): i for i in items}.values())
    execute_values(cur, _UPSERT_ORDERS, [_row(o, ORDER_COLUMNS) for o in orders])
    order_ids = [o["amazon_order_id"] for o in orders]
    if with_items:
        _replace_items(cur, account_id, order_ids, items, from_api=True)
    cur.execute(_CLEAR_REJECTED, (account_id, "orders", order_ids))


def upsert_report_orders(
    cur: PgCursor,
    account_id: str,
    orders: Sequence[dict[str, Any]],
    items: Sequence[dict[str, Any]],
) -> int:
    """Upsert a batch of orders read from the all-orders report and stage their item lines
    where the report is as new as the staged order (caller owns the transaction); returns the
    orders whose items were replaced. A re-run of the same document changes nothing."""
    if not orders:
        return 0
    orders = list({o["amazon_order_id"]: o for o in orders}.values())
    written = execute_values(
        cur,
        _UPSERT_REPORT_ORDERS,
        [(*_row(o, ORDER_COLUMNS), "report", o["last_update_date"]) for o in orders],
        fetch=True,
    )
    new = {order_id for order_id, inserted in written if inserted}
    order_ids = [o["amazon_order_id"] for o in orders]
    old = [order_id for order_id in order_ids if order_id not in new]
    current: set[str] = set()
    if old:
        cur.execute(_REPORT_ITEMS_WANTED, (account_id, old))
        # the report's lines are the items of the orders staged at exactly the update it saw
        seen = {o["amazon_order_id"]: o["last_update_date"] for o in orders}
        current = {order_id for order_id, updated in cur.fetchall() if updated == seen[order_id]}
    if current:
        _replace_items(
            cur, account_id, sorted(current), [i for i in items if i["amazon_order_id"] in current],
            from_api=False,
        )  # fmt: skip
    added = [i for i in items if i["amazon_order_id"] in new]
    if added:
        unique = {(i["amazon_order_id"], i["order_item_id"]): i for i in added}
        execute_values(cur, _INSERT_ITEMS, [_row(i, ITEM_COLUMNS) for i in unique.values()])
    cur.execute(_CLEAR_REJECTED, (account_id, "orders", order_ids))
    return len(current) + len(new)


def _replace_items(
    cur: Any,
    account_id: str,
    order_ids: list[str],
    items: Sequence[dict[str, Any]],
    *,
    from_api: bool,
) -> None:
    if from_api:
        cur.execute(_ITEMS_LISTED, (account_id, order_ids, REPORT_LINE))
    cur.execute(_DELETE_ITEMS, (account_id, order_ids))
    if items:
        execute_values(cur, _INSERT_ITEMS, [_row(i, ITEM_COLUMNS) for i in items])
    cur.execute(_ITEMS_AS_OF, (account_id, order_ids))


def replace_items(
    cur: Any,
    account_id: str,
    order_ids: Sequence[str],
    items: Sequence[dict[str, Any]],
    *,
    from_api: bool = True,
) -> None:
    """The items of staged orders, fetched apart from them: replaced, and marked as of the
    order's current last update (so they are not fetched again until the order changes).
    `from_api`: they are the Orders API's (getOrderItems), not the all-orders report's lines."""
    if order_ids:
        items = list({(i["amazon_order_id"], i["order_item_id"]): i for i in items}.values())
        _replace_items(cur, account_id, list(order_ids), items, from_api=from_api)


# The orders of a window whose items are missing or older than the order, and which the
# account's messages need items for (`needs`: a SQL condition on staging.orders `o`, built by
# extract.items from the account's kinds and policies; it holds no user input).
_ITEMS_WANTED = """
SELECT o.amazon_order_id FROM staging.orders o
WHERE o.account_id = %s AND o.last_update_date >= %s AND o.last_update_date <= %s
  AND o.items_as_of IS DISTINCT FROM o.last_update_date
  AND ({needs})
ORDER BY o.last_update_date, o.amazon_order_id
"""


def orders_wanting_items(
    cur: Any, account_id: str, window: tuple[datetime, datetime], needs: str
) -> list[str]:
    cur.execute(_ITEMS_WANTED.format(needs=needs), (account_id, *window))
    return [r[0] for r in cur.fetchall()]


def staged_order_ids(cur: Any, account_id: str, order_ids: Sequence[str]) -> set[str]:
    cur.execute(
        "SELECT amazon_order_id FROM staging.orders WHERE account_id = %s"
        " AND amazon_order_id = ANY(%s)",
        (account_id, list(order_ids)),
    )
    return {r[0] for r in cur.fetchall()}


_CHECKPOINT = """
INSERT INTO staging.extract_checkpoints
    (account_id, stream, window_start, window_end, next_token, pages, orders, channel,
     pass_started, listed_by)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (account_id, stream, listed_by, window_start) DO UPDATE SET
    window_end = EXCLUDED.window_end, next_token = EXCLUDED.next_token, pages = EXCLUDED.pages,
    orders = EXCLUDED.orders, channel = EXCLUDED.channel, pass_started = EXCLUDED.pass_started,
    updated_at = now()
"""


def save_checkpoint(
    cur: Any,
    account_id: str,
    stream: str,
    window: tuple[datetime, datetime],
    next_token: str | None,
    *,
    pages: int,
    orders: int,
    channel: str | None = None,
    pass_started: bool | None = None,
    listed_by: str = "last_update",
) -> None:
    """`channel`: the pass of a listing by fulfillment channel the token belongs to (None: one
    pass over all); `pass_started` defaults to whether the window has a page committed;
    `listed_by`: the window bounds the last update or the creation (migration 0028)."""
    started = pass_started if pass_started is not None else bool(next_token or pages)
    cur.execute(
        _CHECKPOINT,
        (account_id, stream, *window, next_token, pages, orders, channel, started, listed_by),
    )


def load_checkpoint(
    cur: Any, account_id: str, stream: str, window_start: datetime, listed_by: str = "last_update"
) -> dict[str, Any] | None:
    """The unfinished run of the window starting at `window_start`, if one stopped mid-way."""
    cur.execute(
        "SELECT window_end, next_token, pages, orders, channel, pass_started, updated_at"
        " FROM staging.extract_checkpoints"
        " WHERE account_id = %s AND stream = %s AND listed_by = %s AND window_start = %s",
        (account_id, stream, listed_by, window_start),
    )
    row = cur.fetchone()
    if row is None:
        return None
    return {
        "window_end": row[0], "next_token": row[1], "pages": row[2], "orders": row[3],
        "channel": row[4], "pass_started": row[5], "updated_at": row[6],
    }  # fmt: skip


def clear_checkpoint(
    cur: Any, account_id: str, stream: str, window_start: datetime, listed_by: str = "last_update"
) -> None:
    cur.execute(
        "DELETE FROM staging.extract_checkpoints"
        " WHERE account_id = %s AND stream = %s AND listed_by = %s AND window_start = %s",
        (account_id, stream, listed_by, window_start),
    )


# The UTC days of purchase of the orders whose details the listing has still to bring, oldest
# first, with when the report last staged one of them and the day's latest purchase
_REPORT_ONLY_DAYS = """
SELECT date_trunc('day', purchase_date, 'UTC'), max(extracted_at), max(purchase_date)
FROM staging.orders WHERE account_id = %s AND details_from = 'report'
GROUP BY 1 ORDER BY 1
"""


def report_only_days(cur: Any, account_id: str) -> list[tuple[datetime, datetime, datetime]]:
    cur.execute(_REPORT_ONLY_DAYS, (account_id,))
    return [(r[0], r[1], r[2]) for r in cur.fetchall()]


def clear_created_checkpoints(
    cur: Any, account_id: str, stream: str, keep: Sequence[datetime]
) -> None:
    """The creation windows of days no order of which lacks its details any more (`keep`: the
    UTC days some order of which does)."""
    cur.execute(
        "DELETE FROM staging.extract_checkpoints WHERE account_id = %s AND stream = %s"
        " AND listed_by = 'created' AND NOT date_trunc('day', window_start, 'UTC') = ANY(%s)",
        (account_id, stream, list(keep)),
    )


def created_checkpoints(
    cur: Any, account_id: str, stream: str
) -> list[tuple[datetime, dict[str, Any]]]:
    """The account's creation windows, under way or listed, by their start."""
    cur.execute(
        "SELECT window_start FROM staging.extract_checkpoints WHERE account_id = %s"
        " AND stream = %s AND listed_by = 'created' ORDER BY window_start",
        (account_id, stream),
    )
    starts = [r[0] for r in cur.fetchall()]
    marks = []
    for start in starts:
        mark = load_checkpoint(cur, account_id, stream, start, "created")
        assert mark is not None
        marks.append((start, {"window_start": start, **mark}))
    return marks


def reject_records(
    cur: PgCursor, account_id: str, source: str, rejects: Sequence[tuple[str, str, Any]]
) -> None:
    """Keep records that could not be parsed, with the reason (never dropped); `raw` is what
    `extract.parse.rejection` kept of them. The same key twice in a batch: the last wins."""
    if rejects:
        unique = {key: (reason, raw) for key, reason, raw in rejects}
        execute_values(
            cur,
            _UPSERT_REJECTED,
            [(account_id, source, key, reason, Json(raw)) for key, (reason, raw) in unique.items()],
        )


def record_extract_run(
    cur: PgCursor,
    account_id: str,
    stream: str,
    window: tuple[datetime, datetime],
    *,
    records: int,
    pages: int,
    calls: int,
    throttled: int,
) -> None:
    cur.execute(_RECORD_RUN, (account_id, stream, *window, records, pages, calls, throttled))


def last_run_records(cur: PgCursor, account_id: str, stream: str) -> int | None:
    """Records the stream's latest finished run loaded (None before its first run)."""
    cur.execute(
        "SELECT records FROM staging.extract_runs WHERE account_id = %s AND stream = %s"
        " ORDER BY finished_at DESC LIMIT 1",
        (account_id, stream),
    )
    row = cur.fetchone()
    return None if row is None else int(row[0])


def has_loaded(cur: PgCursor, account_id: str, stream: str) -> bool:
    cur.execute(_HAS_LOADED, (account_id, stream))
    return bool(one_row(cur)[0])


def queried_until(cur: PgCursor, account_id: str, stream: str, at: datetime) -> datetime | None:
    """The stream's watermark as seen from `at`: the furthest end actually queried (the clipped
    end, as recorded) by a run whose window began at or before `at`; None if there is none."""
    cur.execute(_QUERIED_UNTIL, (account_id, stream, at))
    row = cur.fetchone()
    return row[0] if row else None


# --- report-first extraction (extract/report_first.py) --------------------------------------

_REPORT_CHECKPOINT = """
INSERT INTO staging.extract_report_checkpoints
    (account_id, stream, span_start, span_end, report_id, document_id, orders_done, done)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (account_id, stream, span_start, span_end) DO UPDATE SET
    report_id = EXCLUDED.report_id, document_id = EXCLUDED.document_id,
    orders_done = EXCLUDED.orders_done, done = EXCLUDED.done, updated_at = now()
"""


def save_report_checkpoint(
    cur: Any,
    account_id: str,
    stream: str,
    span: tuple[datetime, datetime],
    report_id: str,
    *,
    document_id: str | None = None,
    orders_done: int = 0,
    done: bool = False,
) -> None:
    cur.execute(
        _REPORT_CHECKPOINT,
        (account_id, stream, *span, report_id, document_id, orders_done, done),
    )


def load_report_checkpoint(
    cur: Any, account_id: str, stream: str, span: tuple[datetime, datetime]
) -> dict[str, Any] | None:
    """Where the report phase of one span stands, if a run got that far."""
    cur.execute(
        "SELECT report_id, document_id, orders_done, done FROM staging.extract_report_checkpoints"
        " WHERE account_id = %s AND stream = %s AND span_start = %s AND span_end = %s",
        (account_id, stream, *span),
    )
    row = cur.fetchone()
    if row is None:
        return None
    return {"report_id": row[0], "document_id": row[1], "orders_done": row[2], "done": row[3]}


def clear_report_checkpoints(
    cur: Any, account_id: str, stream: str, window: tuple[datetime, datetime]
) -> None:
    """The report spans inside a window whose listing is done."""
    cur.execute(
        "DELETE FROM staging.extract_report_checkpoints WHERE account_id = %s AND stream = %s"
        " AND span_start >= %s AND span_end <= %s",
        (account_id, stream, *window),
    )


def unfinished_listings(
    cur: Any, account_id: str, stream: str, before: datetime
) -> list[tuple[datetime, datetime]]:
    """Listing windows a report-first run left unfinished (its checkpoint kept) that start
    before `before`, oldest first: the listing's backlog."""
    cur.execute(
        "SELECT window_start, window_end FROM staging.extract_checkpoints"
        " WHERE account_id = %s AND stream = %s AND listed_by = 'last_update'"
        " AND window_start < %s ORDER BY window_start",
        (account_id, stream, before),
    )
    return [(r[0], r[1]) for r in cur.fetchall()]


# Orders per second of window over the stream's runs that finished in the last week: what
# the account had before (each run's records are the orders its window held, by the listing
# or the report)
_RECENT_RATE = """
SELECT sum(records), sum(extract(epoch FROM window_end - window_start))
FROM staging.extract_runs
WHERE account_id = %s AND stream = %s AND finished_at >= now() - interval '7 days'
  AND window_end > window_start
"""


def recent_orders_per_second(cur: Any, account_id: str, stream: str) -> float | None:
    """None when the account has no recent run to size a window from."""
    cur.execute(_RECENT_RATE, (account_id, stream))
    row = cur.fetchone()
    if row is None or row[0] is None or not row[1]:
        return None
    return float(row[0]) / float(row[1])


def report_only_orders(cur: Any, account_id: str) -> int:
    """Orders whose details the listing has still to bring."""
    cur.execute(
        "SELECT count(*) FROM staging.orders WHERE account_id = %s AND details_from = 'report'",
        (account_id,),
    )
    return int(one_row(cur)[0])


# Report-first orders cancelled (the order, or one of its lines) whose items are still the
# all-orders report's lines, which do not say who cancelled: their cancellation notices wait for
# the Orders API's items (plan/sql/unavailability_notice.sql reads the same condition). Amazon
# informs the buyer of its own orders' cancellations, so Amazon-fulfilled ones need no requester.
# Oldest cancellation first: the nearest to going stale.
_AWAITING_REQUESTER = """
SELECT o.amazon_order_id FROM staging.orders o
WHERE o.account_id = %s AND o.last_update_date >= %s
  AND o.fulfillment_channel IS DISTINCT FROM 'AFN'
  AND (o.details_from = 'report' OR o.details_listed_at IS NOT NULL)
  AND EXISTS (SELECT 1 FROM staging.order_items i
              WHERE i.account_id = o.account_id AND i.amazon_order_id = o.amazon_order_id
                AND i.raw ->> 'source' = %s
                AND (o.order_status = 'Canceled' OR i.raw ->> 'item-status' = 'Cancelled'))
ORDER BY o.last_update_date, o.amazon_order_id
"""


def awaiting_requester(cur: Any, account_id: str, since: datetime) -> list[str]:
    """Report-first cancelled orders updated since `since` whose items do not say who
    cancelled yet (the report's lines)."""
    cur.execute(_AWAITING_REQUESTER, (account_id, since, REPORT_LINE))
    return [r[0] for r in cur.fetchall()]
