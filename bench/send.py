"""Sending pace: review requests through the real path (outbox -> send_batch -> SpApiCaller ->
checked client -> emulator), against Amazon's usage plan, time-scaled.

Phase 1 runs at the emulator's rate; then the emulator halves both solicitations limits
(POST /_emulator/limits) and phase 2 shows how fast the sender settles at the new pace. The
baseline is what open-source review-request scripts do: one POST per order, a fixed sleep of
1/rate between calls, a fixed delay and a retry on 429.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

from bench.common import (
    Alongside,
    Emulator,
    Figure,
    Request,
    caller_for,
    close_caller,
    connect,
    insert_ready_rows,
    outbox_statuses,
    quiet_logs,
    send_review_requests,
    solicitations_client,
    throwaway_database,
)

GET_OP = "getSolicitationActionsForOrder"
POST_OP = "createProductReviewAndSellerFeedbackSolicitation"
OPS = (GET_OP, POST_OP)
TIME_SCALE = 20.0  # solicitations at 20/s, burst 5
ACCOUNT = "bench_send"
STEADY_WINDOW_S = 2.0
STEADY_SHARE = 0.9  # a window is steady when it sends >= 90% of the new rate
BASELINE_RETRY_DELAY = 2.0  # seconds of Amazon time a typical script sleeps on 429
# right after the halving every solicitations call gets a 429 for this long (the emulator's
# throttle_storm): the emulator starts a full bucket at a new limit, so without a burst of
# 429s there would be nothing to recover from and adapt_seconds would be 0 by construction
STORM_S = 1.0


def _share(requests: list[Request]) -> float:
    calls = [r for r in requests if r.operation in OPS]
    return sum(r.status == 429 for r in calls) / len(calls) if calls else 0.0


def steady_after(
    sends: list[float],
    throttles: list[float],
    start: float,
    end: float,
    rate: float,
    *,
    window: float = STEADY_WINDOW_S,
    share: float = STEADY_SHARE,
    step: float = 0.05,
) -> float | None:
    """Seconds from `start` until the pace is steady: no 429 from then on, and every `window`
    seconds up to `end` holds at least `share` × rate × window sends. None if it never is."""
    sends = sorted(sends)
    last_throttle = max((t for t in throttles if t >= start), default=None)
    need = share * rate * window
    t = start if last_throttle is None else last_throttle
    candidates = []
    while t + window <= end + 1e-9:
        candidates.append(t)
        t += step
    ok_from = None
    # walk backwards: the earliest t from which every later window is full enough
    for u in reversed(candidates):
        count = sum(1 for s in sends if u <= s < u + window)
        if count >= need:
            ok_from = u
        else:
            break
    return None if ok_from is None else ok_from - start


def _sender(conn: Any, caller: Any, client: Any, limit: int, out: dict[str, Any]) -> None:
    """send_batch in a thread; everything it needs is imported and built before the clock starts."""
    try:
        out["counts"] = send_review_requests(conn, caller, client, account_id=ACCOUNT, limit=limit)
    except BaseException as err:  # reported by the main thread
        out["error"] = err
    finally:
        out["finished"] = time.monotonic()


def _baseline(
    emu: Emulator, client: Any, orders: list[tuple[str, str]], seconds: float, rate: float
) -> tuple[int, float]:
    """Fixed sleep of 1/rate between POSTs, fixed delay + retry on 429. (sent, elapsed)."""
    from buyer_messaging.spapi.client import SpApiHttpError

    sent = 0
    start = time.monotonic()
    for order_id, marketplace_id in orders:
        if time.monotonic() - start >= seconds:
            break
        while True:
            try:
                client.create_product_review_and_seller_feedback_solicitation(
                    order_id, marketplaceIds=marketplace_id
                )
                sent += 1
            except SpApiHttpError as err:
                if err.status == 429:
                    time.sleep(BASELINE_RETRY_DELAY / emu.time_scale)
                    continue
            break
        time.sleep(1.0 / rate)
    return sent, time.monotonic() - start


def run(quick: bool) -> list[Figure]:
    quiet_logs()
    phase1 = 15.0 if quick else 60.0
    phase2 = 8.0 if quick else 30.0
    mode = "quick: " if quick else ""
    with (
        Emulator(orders_per_day=300, time_scale=TIME_SCALE) as emu,
        Emulator(orders_per_day=300, time_scale=TIME_SCALE) as base_emu,  # same seed, same orders
        throwaway_database("bm_bench_send") as dsn,
    ):
        rate, burst = emu.limit(POST_OP)
        plan_rate = rate / TIME_SCALE
        n = int(burst + rate * phase1 + rate / 2 * phase2)
        orders = emu.reviewable_orders(n)
        insert_ready_rows(dsn, ACCOUNT, orders)
        emu.reset()
        base_emu.reset()
        base_client = solicitations_client(base_emu.url)

        import buyer_messaging.send.batch  # noqa: F401 - imports are not the sender's time

        conn = connect(dsn)
        client = solicitations_client(emu.url)
        caller = caller_for(conn, ACCOUNT)
        out: dict[str, Any] = {}
        t0 = time.monotonic()
        thread = threading.Thread(target=_sender, args=(conn, caller, client, n, out), daemon=True)
        thread.start()
        baseline = Alongside(_baseline, base_emu, base_client, orders, phase1, rate).start()
        time.sleep(max(0.0, t0 + phase1 - time.monotonic()))
        t_change = time.monotonic()
        for op in OPS:
            emu.set_limit(op, plan_rate / 2)
        emu.post(
            "/_emulator/faults",
            {"throttle_storm": {"every_s": 3600, "duration_s": STORM_S}, "operations": list(OPS)},
        )
        t_storm_end = time.monotonic() + STORM_S  # from the storm's start, once it is set
        thread.join()
        conn.close()
        close_caller(caller)
        emu.settle()
        if "error" in out:
            raise out["error"]
        log = emu.log_since(t0)
        p1 = [r for r in log if r.at < t_change]
        p2 = [r for r in log if r.at >= t_change]
        sends1 = sum(r.operation == POST_OP and r.status == 201 for r in p1)
        allowed1 = burst + rate * (t_change - t0)
        ours_per_s = sends1 / (t_change - t0)
        sends2 = [r.at for r in p2 if r.operation == POST_OP and r.status == 201]
        p3 = [r for r in log if r.at >= t_storm_end]
        storm_429s = sum(r.status == 429 for r in p2 if r.at < t_storm_end)
        throttles3 = [r.at for r in p3 if r.operation in OPS and r.status == 429]
        end = max(sends2, default=t_storm_end)
        adapt = steady_after(
            [t for t in sends2 if t >= t_storm_end], throttles3, t_storm_end, end, rate / 2
        )
        statuses = outbox_statuses(dsn, ACCOUNT)
        counts: Counter[str] = out.get("counts") or Counter()

        base_sent, base_elapsed = baseline.result()
        base_emu.settle()
        base_share = _share(base_emu.log_since(0))
        base_per_s = base_sent / base_elapsed

    return [
        Figure(
            "send_efficiency",
            sends1 / allowed1,
            "sends/allowed",
            ">= 0.95",
            note=f"{mode}{sends1} sends in {t_change - t0:.1f}s at {rate:g}/s burst {burst} "
            f"(time_scale {TIME_SCALE:g}, {type(caller.bucket(POST_OP)).__name__}); outbox {statuses}; send_batch {dict(counts)}",
        ),
        Figure(
            "throttled_share",
            _share(p1),
            "429s/requests",
            "<= 0.01",
            note="solicitations GET+POST, phase 1",
        ),
        Figure(
            "adapt_seconds",
            adapt if adapt is not None else phase2,
            "s",
            "<= 5",
            note=(
                f"recovery after a burst of 429s: limit halved to {rate / 2:g}/s, then every"
                f" solicitations call throttled for {STORM_S:g}s ({storm_429s} 429s); seconds from"
                f" the burst's end until steady = no 429 after and every {STEADY_WINDOW_S:g}s "
                f"window >= {STEADY_SHARE:.0%} of the new rate"
                + ("" if adapt is not None else "; never steady (value = phase length)")
            ),
        ),  # fmt: skip
        Figure(
            "adapt_throttled_share",
            _share(p3),
            "429s/requests",
            "<= 0.03",
            note="after the halving and the burst of 429s ended",
        ),
        Figure(
            "send_vs_fixed_sleep",
            ours_per_s / base_per_s if base_per_s else None,
            "x",
            ">= 1.0",
            note=f"ours {ours_per_s:.2f}/s vs fixed-sleep {base_per_s:.2f}/s "
            f"({base_sent} in {base_elapsed:.1f}s on its own emulator, at the same time; {base_share:.1%} throttled)",
        ),
    ]
