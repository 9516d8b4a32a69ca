"""SQL of `staging.returns` and `staging.shipments`: upserts keyed by natural keys.

The caller owns the transaction (one per batch). An unchanged row is left untouched, so a
re-run leaves staging identical, `extracted_at` included.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from psycopg2.extras import Json, execute_values

if TYPE_CHECKING:
    from psycopg2.extensions import cursor as PgCursor

RETURN_COLUMNS = (
    "account_id", "amazon_order_id", "return_key", "line_key", "amazon_rma_id", "seller_rma_id",
    "merchant_sku", "asin", "item_name", "order_date", "return_request_date",
    "return_request_status", "return_delivery_date", "return_quantity", "return_reason",
    "return_type", "resolution", "in_policy", "is_prime", "a_to_z_claim", "label_type",
    "label_cost", "label_to_be_paid_by", "return_carrier", "tracking_id", "currency",
    "order_amount", "order_quantity", "refunded_amount", "raw",
)  # fmt: skip
RETURN_KEY = ("account_id", "amazon_order_id", "return_key", "line_key")

SHIPMENT_COLUMNS = (
    "account_id", "amazon_order_id", "package_reference_id", "carrier", "tracking_number",
    "shipping_service", "ship_date", "package_created_at", "package_status",
    "package_detailed_status", "estimated_delivery_start", "estimated_delivery_end", "items", "raw",
)  # fmt: skip

_UPSERT_RETURNS = f"""
INSERT INTO staging.returns ({", ".join(RETURN_COLUMNS)}) VALUES %s
ON CONFLICT ({", ".join(RETURN_KEY)}) DO UPDATE SET
    {", ".join(f"{c} = EXCLUDED.{c}" for c in RETURN_COLUMNS if c not in RETURN_KEY)},
    extracted_at = now()
WHERE staging.returns.raw IS DISTINCT FROM EXCLUDED.raw
"""

_UPSERT_SHIPMENTS = f"""
INSERT INTO staging.shipments ({", ".join(SHIPMENT_COLUMNS)}) VALUES %s
ON CONFLICT (account_id, amazon_order_id, package_reference_id) DO UPDATE SET
    {", ".join(f"{c} = EXCLUDED.{c}" for c in SHIPMENT_COLUMNS[3:])},
    extracted_at = now()
WHERE staging.shipments.raw IS DISTINCT FROM EXCLUDED.raw
   OR staging.shipments.estimated_delivery_end IS DISTINCT FROM EXCLUDED.estimated_delivery_end
   OR staging.shipments.estimated_delivery_start IS DISTINCT FROM EXCLUDED.estimated_delivery_start
"""

# packages an order no longer lists (a cancelled label) go; the others are upserted in place
_DELETE_STALE_SHIPMENTS = """
DELETE FROM staging.shipments s
WHERE s.account_id = %s AND s.amazon_order_id = ANY(%s)
  AND NOT (s.amazon_order_id || E'\\x1f' || s.package_reference_id = ANY(%s))
"""

_CLEAR_REJECTED = """
DELETE FROM staging.rejected_records
WHERE account_id = %s AND source = %s AND record_key = ANY(%s)
"""


def _value(column: str, record: dict[str, Any]) -> Any:
    value = record.get(column)
    return Json(value) if column in ("raw", "items") else value


def upsert_returns(
    cur: PgCursor, returns: Sequence[dict[str, Any]], *, source: str = "returns"
) -> int:
    """Upsert parsed return rows; clears earlier rejections of the same records."""
    if not returns:
        return 0
    # the same key twice in one statement is an error in Postgres: the last row wins
    unique = {tuple(r[k] for k in RETURN_KEY): r for r in returns}
    execute_values(
        cur, _UPSERT_RETURNS, [tuple(_value(c, r) for c in RETURN_COLUMNS) for r in unique.values()]
    )
    by_account: dict[str, list[str]] = {}
    for r in unique.values():
        by_account.setdefault(r["account_id"], []).append(r["record_key"])
    for account_id, keys in by_account.items():
        cur.execute(_CLEAR_REJECTED, (account_id, source, keys))
    return len(unique)


def replace_shipments(
    cur: PgCursor, account_id: str, order_ids: Sequence[str], shipments: Sequence[dict[str, Any]]
) -> None:
    """The packages of these orders become exactly `shipments` (caller owns the transaction)."""
    if not order_ids:
        return
    keep = [f"{s['amazon_order_id']}\x1f{s['package_reference_id']}" for s in shipments]
    cur.execute(_DELETE_STALE_SHIPMENTS, (account_id, list(order_ids), keep))
    if shipments:
        # a page listing an order twice lists its packages twice: the last copy wins
        unique = {(s["amazon_order_id"], s["package_reference_id"]): s for s in shipments}
        execute_values(
            cur,
            _UPSERT_SHIPMENTS,
            [tuple(_value(c, s) for c in SHIPMENT_COLUMNS) for s in unique.values()],
        )
