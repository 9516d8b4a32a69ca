"""Failure classes of SP-API calls: what is retried, what fails, and how it is named."""

import pytest

from buyer_messaging.spapi.calls import SpApiCaller, SpApiCallError
from buyer_messaging.spapi.client import SpApiHttpError


class Response:
    def __init__(self, rate: str | None = None) -> None:
        self.headers = {"x-amzn-RateLimit-Limit": rate} if rate else {}
        self.payload = {}


def scripted(*outcomes):
    calls = []

    def fn(*args, **kwargs):
        calls.append((args, kwargs))
        outcome = outcomes[len(calls) - 1]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return fn, calls


def caller() -> SpApiCaller:
    clock = [0.0]

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    return SpApiCaller(sleep=sleep, clock=lambda: clock[0], max_attempts=5)


def test_429_and_5xx_are_retried_until_success():
    fn, calls = scripted(
        SpApiHttpError(429, "QuotaExceeded", "slow down"),
        SpApiHttpError(503, "ServiceUnavailable", "try later"),
        SpApiHttpError(200, "InvalidResponse", "truncated"),
        Response("3.5"),
    )
    c = caller()
    c.call("getOrders", fn)
    assert len(calls) == 4
    assert c.throttled["getOrders"] == 1 and c.retries["getOrders"] == 2
    assert c.bucket("getOrders").rate == 3.5  # learned from x-amzn-RateLimit-Limit


def test_other_4xx_fails_at_once_naming_operation_and_order():
    fn, calls = scripted(SpApiHttpError(400, "InvalidInput", "bad id"))
    with pytest.raises(SpApiCallError) as err:
        caller().call("getOrderItems", fn, "123-1234567-1234567", subject="123-1234567-1234567")
    assert len(calls) == 1
    assert "getOrderItems for order 123-1234567-1234567" in str(err.value)
    assert "InvalidInput" in str(err.value)


def test_expired_token_is_refreshed_once():
    class Client:
        class _auth:
            invalidated = 0

            @classmethod
            def invalidate(cls):
                cls.invalidated += 1

    expired = SpApiHttpError(403, "Unauthorized", "The access token you provided has expired.")
    fn, calls = scripted(expired, Response())
    caller().call("getOrders", fn, client=Client)
    assert Client._auth.invalidated == 1 and len(calls) == 2

    fn, calls = scripted(expired, expired)
    with pytest.raises(SpApiCallError, match="Unauthorized"):
        caller().call("getOrders", fn, client=Client)


def test_gives_up_after_max_attempts():
    fn, calls = scripted(*[SpApiHttpError(500, "InternalFailure", "boom")] * 5)
    with pytest.raises(SpApiCallError, match="gave up after 5 attempts"):
        caller().call("getOrders", fn)


def test_buckets_keep_one_token_of_headroom_below_amazons_burst():
    from buyer_messaging.spapi.limits import usage_plan

    c = caller()
    rate, burst = usage_plan("createProductReviewAndSellerFeedbackSolicitation")
    bucket = c.bucket("createProductReviewAndSellerFeedbackSolicitation")
    assert (bucket.rate, bucket.burst) == (rate, burst - 1) == (1.0, 4)
    clock = c._clock
    for _ in range(4):
        bucket.acquire()
    assert clock() == 0.0  # the burst less the headroom goes out at once
    bucket.acquire()
    assert clock() == pytest.approx(1.0)  # then Amazon's rate
