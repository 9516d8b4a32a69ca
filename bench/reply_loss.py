"""Exactly once when replies are lost (#16): every request is processed, then 30% of the
replies are lost (the emulator's `reply_loss` fault: a 502 page, a reset; for e-mail the
`LossyRelay` drops the connection after DATA, before its `250`). One pass of the real send
code per channel, then a second pass (a re-run), then count against what the server received.

- duplicates: orders the server received a message for more than once (all channels).
- lost: rows not settled (not sent/skipped/failed/expired/delivery_unknown), rows recorded
  sent that the server never received, and rows the server received that the warehouse records
  as neither sent nor delivery_unknown (under-reporting, e.g. `skipped`).
- unknown share per channel: delivery_unknown rows / rows. Review requests settle every lost
  reply by asking Amazon (0 expected); the Messaging API and e-mail cannot read back, so about
  the loss rate is expected there, every one of them in fact delivered.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import (
    Emulator,
    Figure,
    client,
    connect,
    insert_ready_rows,
    quiet_logs,
    throwaway_database,
)

ACCOUNT = "bench_loss"
RATE = 0.3
SETTLED = {"sent", "skipped", "failed", "expired", "delivery_unknown"}


def _messaging_orders(emu: Emulator, want: int) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    today = datetime.now(UTC).date()
    for back in range(1, 20):
        truth = emu.get(
            f"/_emulator/orders?day={(today - timedelta(days=back)).isoformat()}&limit=100000"
        )
        for order in truth["orders"]:
            if order["OrderStatus"] in ("Unshipped", "Shipped"):
                found.append((order["AmazonOrderId"], order["MarketplaceId"]))
                if len(found) >= want:
                    return found
    raise RuntimeError(f"only {len(found)} orders for createUnexpectedProblem")


def _with_text(dsn: str) -> None:
    conn = connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(
            "UPDATE messaging.outbox SET subject = 'About your order', body = 'An update on your order.'"
            " WHERE account_id = %s",
            (ACCOUNT,),
        )
    conn.close()


def _statuses(dsn: str, kind: str) -> dict[str, str]:
    conn = connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT amazon_order_id, status FROM messaging.outbox WHERE account_id = %s AND kind = %s",
            (ACCOUNT, kind),
        )
        out = dict(cur.fetchall())
    conn.close()
    return out


def _count(channel: str, statuses: dict[str, str], received: Counter[str]) -> dict[str, Any]:
    sent = {o for o, s in statuses.items() if s == "sent"}
    unknown = {o for o, s in statuses.items() if s == "delivery_unknown"}
    return {
        "channel": channel,
        "rows": len(statuses),
        "duplicates": sum(1 for n in received.values() if n > 1),
        "lost": sum(1 for s in statuses.values() if s not in SETTLED)
        + len(sent - set(received))
        + len(set(received) - sent - unknown),
        "unknown": len(unknown),
        "statuses": dict(Counter(statuses.values())),
    }


def _spapi_channel(n: int, kind: str, operation: str, mode: str) -> dict[str, Any]:
    from buyer_messaging.send.batch import send_batch
    from buyer_messaging.send.channels import Messaging, Solicitations
    from buyer_messaging.spapi.calls import SpApiCaller

    loss = {"mode": mode, "rate": RATE, "operations": [operation]}
    with (
        Emulator(orders_per_day=300, time_scale=50.0) as emu,
        throwaway_database("bm_bench_loss") as dsn,
    ):
        if kind == "review_request":
            orders = emu.reviewable_orders(n)
        else:
            orders = _messaging_orders(emu, n)
        insert_ready_rows(dsn, ACCOUNT, orders, kind=kind)
        _with_text(dsn)
        emu.reset()
        emu.post("/_emulator/faults", {"reply_loss": loss})
        caller = SpApiCaller(backoff_base=0.05)
        if kind == "review_request":
            from sp_api.api import Solicitations as Api

            channel: Any = Solicitations(caller, client(Api, emu.url))
        else:
            from sp_api.api import Messaging as Api

            channel = Messaging(caller, client(Api, emu.url), operation)
        conn = connect(dsn)
        for _ in range(2):  # the run, then a re-run
            send_batch(conn, channel, account_id=ACCOUNT, kind=kind, limit=n * 2)
        conn.close()
        box = "solicitations" if kind == "review_request" else "messages"
        received = Counter(e["amazonOrderId"] for e in emu.get("/_emulator/received")[box])
        return _count(kind, _statuses(dsn, kind), received)


def _email(n: int) -> dict[str, Any]:
    from sp_api.api import Tokens
    from sp_api.api.orders.orders_v0 import OrdersV0

    from buyer_messaging.send.batch import send_batch
    from buyer_messaging.send.channels import EmailRelay, SmtpSettings
    from buyer_messaging.spapi.calls import SpApiCaller
    from spapi_emulator.relay import LossyRelay

    kind = "shipment_confirmation"
    with (
        Emulator(orders_per_day=300, time_scale=50.0) as emu,
        throwaway_database("bm_bench_loss") as dsn,
        LossyRelay(rate=RATE, mode="drop", seed=16) as relay,
    ):
        insert_ready_rows(dsn, ACCOUNT, emu.reviewable_orders(n), kind=kind)
        _with_text(dsn)
        channel = EmailRelay(
            SpApiCaller(backoff_base=0.05), client(OrdersV0, emu.url),
            SmtpSettings("127.0.0.1", relay.port, None, None, "shop@seller.example"),
            client(Tokens, emu.url),
        )  # fmt: skip
        conn = connect(dsn)
        for _ in range(2):
            send_batch(conn, channel, account_id=ACCOUNT, kind=kind, limit=n * 2)
        conn.close()
        # one message per outbox row: the Message-ID carries the row id
        received = Counter(
            found[1]
            for m in relay.received
            if (found := re.search(r"outbox-(\d+)", m.get("Message-ID", "")))
        )
        statuses = _statuses(dsn, kind)
        ids = _row_ids(dsn, kind)
        return _count(
            "email", statuses, Counter({ids[i]: c for i, c in received.items() if i in ids})
        )


def _row_ids(dsn: str, kind: str) -> dict[str, str]:
    conn = connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT id::text, amazon_order_id FROM messaging.outbox WHERE account_id = %s AND kind = %s",
            (ACCOUNT, kind),
        )
        out = dict(cur.fetchall())
    conn.close()
    return out


def run(quick: bool) -> list[Figure]:
    quiet_logs()
    n = 60 if quick else 100
    results = [
        _spapi_channel(
            n, "review_request", "createProductReviewAndSellerFeedbackSolicitation", "reset"
        ),
        _spapi_channel(n, "unavailability_notice", "createUnexpectedProblem", "bad_gateway"),
        _email(n),
    ]
    note = "; ".join(f"{r['channel']}: {r['rows']} rows -> {r['statuses']}" for r in results)
    share = {r["channel"]: r["unknown"] / r["rows"] for r in results}
    return [
        Figure("reply_loss_duplicates", sum(r["duplicates"] for r in results), "orders", "== 0",
               note=f"{RATE:.0%} of replies lost after processing; " + note),
        Figure("reply_loss_lost", sum(r["lost"] for r in results), "messages", "== 0",
               note="not settled, sent but never received, or received but recorded otherwise"),
        Figure("reply_loss_unknown_share_solicitations", share["review_request"], "rows", "== 0",
               note="a lost reply is settled by asking Amazon (getSolicitationActionsForOrder)"),
        Figure("reply_loss_unknown_share_messaging", share["unavailability_notice"], "rows", None,
               note="createUnexpectedProblem: no read-back; expected near the loss rate"),
        Figure("reply_loss_unknown_share_email", share["email"], "rows", None,
               note="SMTP after DATA: no read-back; expected near the loss rate"),
    ]  # fmt: skip
