"""The shared rate buckets run on the task's one connection (#21: one connection per task)."""

import pytest

from buyer_messaging.spapi.calls import SpApiCaller
from buyer_messaging.spapi.ratelimit import SharedTokenBucket

pytestmark = pytest.mark.integration


def _backends(conn):
    with conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND backend_type = 'client backend'"
        )
        (n,) = cur.fetchone()
    conn.commit()
    return n


def test_every_bucket_of_a_caller_uses_the_tasks_connection(wh):
    before = _backends(wh)
    caller = SpApiCaller(shared=(wh, "acct"))
    caller.bucket("getSolicitationActionsForOrder").acquire()
    caller.bucket("createProductReviewAndSellerFeedbackSolicitation").acquire()
    caller.bucket("getOrders").acquire()
    assert _backends(wh) == before
    with wh.cursor() as cur:
        cur.execute("SELECT count(*) FROM messaging.rate_buckets WHERE account_id = 'acct'")
        assert cur.fetchone() == (3,)
    wh.commit()
    caller.close()
    assert not wh.closed  # the task's connection is the task's to close


def test_a_take_is_its_own_statement_and_leaves_the_connection_as_it_was(wh):
    bucket = SharedTokenBucket(wh, "acct", "getOrders", rate=0.001, burst=3)
    for _ in range(3):
        assert bucket.acquire() == 0.0
    assert wh.autocommit is False
    with wh.cursor() as cur:
        cur.execute("SELECT tokens < 1 FROM messaging.rate_buckets WHERE account_id = 'acct'")
        assert cur.fetchone() == (True,)
    wh.rollback()  # nothing of the takes was left for the caller's transaction to undo
    with wh.cursor() as cur:
        cur.execute("SELECT tokens < 1 FROM messaging.rate_buckets WHERE account_id = 'acct'")
        assert cur.fetchone() == (True,)
    wh.commit()


def test_a_bucket_refuses_to_run_inside_the_callers_transaction(wh):
    bucket = SharedTokenBucket(wh, "acct", "getOrders", rate=1.0, burst=1)
    with wh.cursor() as cur:
        cur.execute("SELECT 1")  # the stage's transaction is open
    with pytest.raises(RuntimeError, match="inside an open transaction"):
        bucket.acquire()
    wh.rollback()
    assert bucket.acquire() == 0.0
