"""Exactly once under kills and concurrency: several `send_batch` processes on one outbox,
some SIGKILLed at random points, replacements started (the re-run), then one last clean
sender (what a cleared task does), then count against the emulator's request log.

- duplicates: orders that got more than one review-request POST Amazon did not throttle or
  fail with 5xx (a second POST would be a second message for any kind Amazon does not
  de-duplicate itself; the emulator refuses it with 403, as Amazon does for solicitations),
  plus orders the emulator recorded more than once.
- lost: outbox rows not ending sent/failed/skipped/expired, plus rows marked sent that Amazon
  never received.

Review-request POSTs get 40-120 ms of latency so a kill often lands while one is in flight.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter

from bench.common import (
    PY,
    ROOT,
    Emulator,
    Figure,
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

ACCOUNT = "bench_once"
POST_OP = "createProductReviewAndSellerFeedbackSolicitation"
OPS = ("getSolicitationActionsForOrder", POST_OP)
TERMINAL = ("sent", "failed", "skipped", "expired")
SEED = 20261122


def child(dsn: str, url: str, limit: int) -> None:
    """One sender process, wired as tasks.send wires it: send_batch until nothing is left."""
    quiet_logs()
    conn = connect(dsn)
    caller = caller_for(conn, ACCOUNT)
    counts = send_review_requests(
        conn, caller, solicitations_client(url), account_id=ACCOUNT, limit=limit
    )
    close_caller(caller)
    conn.close()
    print(json.dumps({"counts": dict(counts), "throttled": sum(caller.throttled.values())}))


def _spawn(dsn: str, url: str, limit: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PY, "-m", "bench.exactly_once", dsn, url, str(limit)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _sent_without_receipt(dsn: str, received: set[str]) -> int:
    conn = connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT amazon_order_id FROM messaging.outbox WHERE account_id = %s AND status = 'sent'",
            (ACCOUNT,),
        )
        sent = {oid for (oid,) in cur.fetchall()}
    conn.close()
    return len(sent - received)


def run(quick: bool) -> list[Figure]:
    quiet_logs()
    rng = random.Random(SEED)
    orders_n = 150 if quick else 400
    rounds = 3 if quick else 6
    senders = 3
    faults = {"latency_ms": [40, 120], "operations": [POST_OP]}
    with (
        Emulator(orders_per_day=300, time_scale=20.0) as emu,
        throwaway_database("bm_bench_once") as dsn,
    ):
        orders = emu.reviewable_orders(orders_n)
        insert_ready_rows(dsn, ACCOUNT, orders)
        emu.reset()
        emu.post("/_emulator/faults", faults)
        live: list[subprocess.Popen[str]] = [_spawn(dsn, emu.url, orders_n) for _ in range(senders)]
        killed = 0
        for _ in range(rounds):
            time.sleep(rng.uniform(0.8, 2.0))
            running = [p for p in live if p.poll() is None]
            for victim in rng.sample(running, k=min(len(running), rng.randint(1, 2))):
                os.kill(victim.pid, signal.SIGKILL)
                killed += 1
            while sum(p.poll() is None for p in live) < senders:  # the re-run: replacements
                live.append(_spawn(dsn, emu.url, orders_n))
        crashed = 0
        settled: Counter[str] = Counter()
        for proc in live:
            stdout, stderr = proc.communicate(timeout=600)
            if proc.returncode == 0:
                settled.update(json.loads(stdout.strip().splitlines()[-1])["counts"])
            elif proc.returncode != -signal.SIGKILL:
                crashed += 1
                sys.stderr.write(stderr)
        concurrent_statuses = outbox_statuses(dsn, ACCOUNT)
        final = _spawn(dsn, emu.url, orders_n)  # a cleared task: reconciles orphans, sends the rest
        stdout, stderr = final.communicate(timeout=600)
        if final.returncode != 0:
            raise RuntimeError(f"the final sender failed: {stderr[-500:]}")
        settled.update(json.loads(stdout.strip().splitlines()[-1])["counts"])
        emu.settle()
        log = emu.log_since(0)
        posts = Counter(
            r.order_id for r in log if r.operation == POST_OP and r.status != 429 and r.status < 500
        )
        received = Counter(
            e["amazonOrderId"] for e in emu.get("/_emulator/received")["solicitations"]
        )
        statuses = outbox_statuses(dsn, ACCOUNT)
        phantom = _sent_without_receipt(dsn, set(received))
        calls = [r for r in log if r.operation in OPS]
        throttled = sum(r.status == 429 for r in calls) / len(calls) if calls else 0.0

    dup_orders = {oid for oid, n in posts.items() if n > 1} | {
        oid for oid, n in received.items() if n > 1
    }
    not_terminal = sum(n for status, n in statuses.items() if status not in TERMINAL)
    note = (f"{orders_n} orders, {senders} concurrent senders, {killed} SIGKILLed over {rounds} rounds "
            f"(seed {SEED}), {crashed} crashed otherwise; orphans settled by re-runs: "
            f"{ {k: v for k, v in settled.items() if k.startswith('reconciled')} }; before the final re-run {concurrent_statuses}, "
            f"after {statuses}")  # fmt: skip
    return [
        Figure("duplicates", len(dup_orders), "orders", "== 0", note=note),
        Figure(
            "lost",
            not_terminal + phantom,
            "messages",
            "== 0",
            note=f"{not_terminal} not in {'/'.join(TERMINAL)}, {phantom} marked sent but never received",
        ),
        Figure(
            "concurrent_throttled_share",
            throttled,
            "429s/requests",
            None,
            note=f"{senders} concurrent senders, solicitations GET+POST",
        ),
    ]


if __name__ == "__main__":
    child(sys.argv[1], sys.argv[2], int(sys.argv[3]))
