"""SQL of the retention purge: buyer PII removed N days after delivery; aggregates kept.

Amazon's Data Protection Policy lets a seller keep buyer PII only as long as needed to
fulfil the order (30 days after delivery by default here). Statuses, kinds, dates and
counts stay, so reporting.daily_summary and message_log keep their numbers.
"""

from __future__ import annotations

from typing import Any

_EXPIRED_ORDERS = """
CREATE TEMP TABLE purge_orders ON COMMIT DROP AS
SELECT account_id, amazon_order_id FROM staging.orders
WHERE coalesce(latest_delivery_date, latest_ship_date, purchase_date) < now() - make_interval(days => %s)
  AND (buyer_hash IS NOT NULL OR raw ?| array['BuyerInfo', 'ShippingAddress', 'buyer', 'recipient'])
UNION
SELECT m.account_id, m.amazon_order_id FROM messaging.outbox m
JOIN staging.orders o USING (account_id, amazon_order_id)
WHERE coalesce(o.latest_delivery_date, o.latest_ship_date, o.purchase_date) < now() - make_interval(days => %s)
  AND (m.subject IS NOT NULL OR m.body IS NOT NULL)
"""

_STATEMENTS = (
    ("staging.orders", """
UPDATE staging.orders o SET buyer_hash = NULL,
    raw = o.raw - 'BuyerInfo' - 'ShippingAddress' - 'buyer' - 'recipient'
FROM purge_orders p WHERE o.account_id = p.account_id AND o.amazon_order_id = p.amazon_order_id
"""),
    ("messaging.outbox", """
UPDATE messaging.outbox m SET subject = NULL, body = NULL
FROM purge_orders p WHERE m.account_id = p.account_id AND m.amazon_order_id = p.amazon_order_id
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
    ("staging.rejected_records", """
DELETE FROM staging.rejected_records WHERE seen_at < now() - make_interval(days => %(days)s)
"""),
)  # fmt: skip


def purge(cur: Any, days: int) -> dict[str, int]:
    cur.execute(_EXPIRED_ORDERS, (days, days))
    counts = {}
    for table, sql in _STATEMENTS:
        cur.execute(sql, {"days": days})
        counts[table] = int(cur.rowcount)
    return counts
