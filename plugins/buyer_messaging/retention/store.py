"""SQL of the retention purge: buyer PII removed N days after delivery; aggregates kept.

Amazon's Data Protection Policy lets a seller keep buyer PII only as long as needed to
fulfil the order (30 days after delivery by default here). Statuses, kinds, dates and
counts stay, so reporting.daily_summary and message_log keep their numbers.

Buyer data can land in: the raw order and its items (BuyerInfo, ShippingAddress, the gift
message), the rendered texts, lint excerpts, delivery answers, error texts (a relay names
the refused recipient, a verdict quotes the body) and records extraction rejected. Error
texts keep their meaning: only the buyer's values are cut out of them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from buyer_messaging.redact import ITEM_PII_KEYS, ORDER_PII_KEYS, scrub

if TYPE_CHECKING:
    from psycopg2.extensions import cursor as PgCursor

_EXPIRED_ORDERS = """
CREATE TEMP TABLE purge_orders ON COMMIT DROP AS
SELECT account_id, amazon_order_id FROM staging.orders
WHERE coalesce(latest_delivery_date, latest_ship_date, purchase_date) < now() - make_interval(days => %(days)s)
  AND (buyer_hash IS NOT NULL OR raw ?| %(order_keys)s)
UNION
SELECT m.account_id, m.amazon_order_id FROM messaging.outbox m
JOIN staging.orders o USING (account_id, amazon_order_id)
WHERE coalesce(o.latest_delivery_date, o.latest_ship_date, o.purchase_date) < now() - make_interval(days => %(days)s)
  AND (m.subject IS NOT NULL OR m.body IS NOT NULL)
UNION
SELECT i.account_id, i.amazon_order_id FROM staging.order_items i
JOIN staging.orders o USING (account_id, amazon_order_id)
WHERE coalesce(o.latest_delivery_date, o.latest_ship_date, o.purchase_date) < now() - make_interval(days => %(days)s)
  AND i.raw ?| %(item_keys)s
"""

# Every string under the buyer's fields of the order and its items, read before they go.
_BUYER_VALUES = """
SELECT p.account_id, p.amazon_order_id, v #>> '{}'
FROM purge_orders p
JOIN staging.orders o USING (account_id, amazon_order_id)
CROSS JOIN LATERAL unnest(%(order_keys)s::text[]) k
CROSS JOIN LATERAL jsonb_path_query(o.raw -> k, 'lax $.**') v
WHERE jsonb_typeof(v) = 'string'
UNION
SELECT p.account_id, p.amazon_order_id, v #>> '{}'
FROM purge_orders p
JOIN staging.order_items i USING (account_id, amazon_order_id)
CROSS JOIN LATERAL unnest(%(item_keys)s::text[]) k
CROSS JOIN LATERAL jsonb_path_query(i.raw -> k, 'lax $.**') v
WHERE jsonb_typeof(v) = 'string'
"""

_OUTBOX_TEXTS = """
SELECT m.id, m.account_id, m.amazon_order_id, m.error, m.reason
FROM messaging.outbox m JOIN purge_orders p USING (account_id, amazon_order_id)
WHERE m.error IS NOT NULL OR m.reason IS NOT NULL
"""

_ATTEMPT_TEXTS = """
SELECT a.id, m.account_id, m.amazon_order_id, a.error
FROM messaging.attempts a
JOIN messaging.outbox m ON m.id = a.outbox_id
JOIN purge_orders p USING (account_id, amazon_order_id)
WHERE a.error IS NOT NULL
"""

_STATEMENTS = (
    ("staging.orders", """
UPDATE staging.orders o SET buyer_hash = NULL, raw = o.raw - %(order_keys)s::text[]
FROM purge_orders p WHERE o.account_id = p.account_id AND o.amazon_order_id = p.amazon_order_id
  AND (o.buyer_hash IS NOT NULL OR o.raw ?| %(order_keys)s)
"""),
    ("staging.order_items", """
UPDATE staging.order_items i SET raw = i.raw - %(item_keys)s::text[]
FROM purge_orders p WHERE i.account_id = p.account_id AND i.amazon_order_id = p.amazon_order_id
  AND i.raw ?| %(item_keys)s
"""),
    ("messaging.outbox", """
UPDATE messaging.outbox m SET subject = NULL, body = NULL
FROM purge_orders p WHERE m.account_id = p.account_id AND m.amazon_order_id = p.amazon_order_id
  AND (m.subject IS NOT NULL OR m.body IS NOT NULL)
"""),
    ("messaging.attempts", """
UPDATE messaging.attempts a SET response = NULL, message_id = NULL
FROM messaging.outbox m JOIN purge_orders p USING (account_id, amazon_order_id)
WHERE a.outbox_id = m.id AND (a.response IS NOT NULL OR a.message_id IS NOT NULL)
"""),
    ("messaging.lint_violations", """
UPDATE messaging.lint_violations v SET excerpt = NULL
FROM messaging.outbox m JOIN purge_orders p USING (account_id, amazon_order_id)
WHERE v.outbox_id = m.id AND v.excerpt IS NOT NULL
"""),
    # A rating's comment and the seller's answer are the buyer's words; the rater's hash goes
    # like the order's buyer_hash (a case keeps its own, as a suppression does)
    ("staging.seller_feedback", """
UPDATE staging.seller_feedback f SET comments = NULL, seller_response = NULL, rater_hash = NULL
WHERE f.feedback_date < (now() - make_interval(days => %(days)s))::date
  AND (f.comments IS NOT NULL OR f.seller_response IS NOT NULL OR f.rater_hash IS NOT NULL)
"""),
    # A rejected record goes with its order, or at the latest `days` after it was first seen
    # (record keys start with the order id; returns rows are keyed by order id too).
    ("staging.rejected_records", """
DELETE FROM staging.rejected_records r
WHERE r.first_seen_at < now() - make_interval(days => %(days)s)
   OR EXISTS (SELECT 1 FROM purge_orders p
              WHERE p.account_id = r.account_id AND starts_with(r.record_key, p.amazon_order_id))
"""),
)  # fmt: skip


def purge(cur: PgCursor, days: int) -> dict[str, int]:
    params = {
        "days": days,
        "order_keys": list(ORDER_PII_KEYS),
        "item_keys": list(ITEM_PII_KEYS),
    }
    cur.execute(_EXPIRED_ORDERS, params)
    cur.execute(_BUYER_VALUES, params)
    values: dict[tuple[str, str], list[str]] = defaultdict(list)
    for account_id, order_id, value in cur.fetchall():
        values[account_id, order_id].append(value)
    counts = {"messaging.texts": _scrub_texts(cur, values)}
    for table, sql in _STATEMENTS:
        cur.execute(sql, params)
        counts[table] = int(cur.rowcount)
    return counts


def _scrub_texts(cur: PgCursor, values: dict[tuple[str, str], list[str]]) -> int:
    """Cut the purged orders' buyer values (and any e-mail address) out of their outbox and
    attempt texts, once: the purge clears what puts an order in purge_orders."""
    changed = 0
    cur.execute(_OUTBOX_TEXTS)
    for row_id, account_id, order_id, error, reason in cur.fetchall():
        known = values.get((account_id, order_id), ())
        new_error, new_reason = scrub(error, known), scrub(reason, known)
        if (new_error, new_reason) != (error, reason):
            cur.execute(
                "UPDATE messaging.outbox SET error = %s, reason = %s WHERE id = %s",
                (new_error, new_reason, row_id),
            )
            changed += 1
    cur.execute(_ATTEMPT_TEXTS)
    for row_id, account_id, order_id, error in cur.fetchall():
        new_error = scrub(error, values.get((account_id, order_id), ()))
        if new_error != error:
            cur.execute(
                "UPDATE messaging.attempts SET error = %s WHERE id = %s", (new_error, row_id)
            )
            changed += 1
    return changed
