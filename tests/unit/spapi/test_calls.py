"""Failure classes of SP-API calls: what is retried, what fails, and how it is named."""

import pytest

from buyer_messaging.spapi.calls import MAX_TOKEN_REFRESHES, SpApiCaller, SpApiCallError
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


def test_an_expired_token_is_refreshed_each_time_a_few_times_at_most():
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

    # expired again later in the same call's retries: refreshed again
    fn, calls = scripted(expired, expired, Response())
    caller().call("getOrders", fn, client=Client)
    assert Client._auth.invalidated == 3 and len(calls) == 3

    fn, calls = scripted(*[expired] * (MAX_TOKEN_REFRESHES + 1))
    with pytest.raises(SpApiCallError, match="Unauthorized"):
        caller().call("getOrders", fn, client=Client)
    assert len(calls) == MAX_TOKEN_REFRESHES + 1


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


# -- non-idempotent operations (issue #16): retried only when the request provably never arrived


def _request() -> object:
    import httpx

    return httpx.Request(
        "POST", "https://sellingpartnerapi-na.amazon.com/messaging/v1/orders/1/messages/x"
    )


def _after_the_bytes_left() -> list[Exception]:
    import httpx

    req = _request()
    return [
        SpApiHttpError(500, "InternalFailure", "boom"),
        SpApiHttpError(502, "HttpError", "<html>502 Bad Gateway</html>"),
        SpApiHttpError(503, "ServiceUnavailable", "try later"),
        SpApiHttpError(200, "InvalidResponse", "the body is not valid JSON (truncated?)"),
        httpx.ReadTimeout("timed out", request=req),
        httpx.ReadError("[Errno 104] Connection reset by peer", request=req),
        httpx.RemoteProtocolError("Server disconnected without sending a response.", request=req),
        httpx.WriteError("broken pipe", request=req),
        httpx.WriteTimeout("timed out", request=req),
    ]


@pytest.mark.parametrize(
    "error", _after_the_bytes_left(), ids=lambda e: type(e).__name__ + str(getattr(e, "status", ""))
)
def test_a_create_whose_reply_is_lost_is_ambiguous_and_never_retried(error):
    from buyer_messaging.spapi.calls import SpApiAmbiguousError

    fn, calls = scripted(error, Response())
    c = caller()
    with pytest.raises(SpApiAmbiguousError) as err:
        c.call("createUnexpectedProblem", fn, "123-1234567-1234567", subject="123-1234567-1234567")
    assert len(calls) == 1
    assert err.value.ambiguous and err.value.operation == "createUnexpectedProblem"
    assert c.retries["createUnexpectedProblem"] == 0


@pytest.mark.parametrize(
    "error", _after_the_bytes_left(), ids=lambda e: type(e).__name__ + str(getattr(e, "status", ""))
)
def test_the_same_failures_are_retried_for_a_read(error):
    fn, calls = scripted(error, Response())
    c = caller()
    c.call("getMessagingActionsForOrder", fn, "123-1234567-1234567")
    assert len(calls) == 2


def test_a_create_that_never_reached_amazon_is_retried():
    import httpx

    req = _request()
    fn, calls = scripted(
        httpx.ConnectError("[Errno 111] Connection refused", request=req),
        httpx.ConnectError("[Errno -2] Name or service not known", request=req),
        httpx.ConnectTimeout("timed out", request=req),
        SpApiHttpError(429, "QuotaExceeded", "You exceeded your quota"),
        Response(),
    )
    c = caller()
    c.call("createProductReviewAndSellerFeedbackSolicitation", fn, "1")
    assert len(calls) == 5
    op = "createProductReviewAndSellerFeedbackSolicitation"
    assert c.retries[op] == 3 and c.throttled[op] == 1


def test_a_create_refused_with_a_4xx_is_a_plain_error_not_an_ambiguous_one():
    fn, calls = scripted(
        SpApiHttpError(403, "Unauthorized", "Access to requested resource is denied.")
    )
    with pytest.raises(SpApiCallError) as err:
        caller().call("createUnexpectedProblem", fn, "1", subject="1")
    assert len(calls) == 1 and not err.value.ambiguous and err.value.status == 403


def test_idempotency_of_operations():
    from buyer_messaging.spapi.calls import is_idempotent

    for op in ("getOrders", "getSolicitationActionsForOrder", "searchOrders", "downloadReportDocument",
               "createRestrictedDataToken", "createReport"):  # fmt: skip
        assert is_idempotent(op), op
    for op in ("createUnexpectedProblem", "CreateWarranty", "createProductReviewAndSellerFeedbackSolicitation",
               "confirmShipment", "sendInvoice"):  # fmt: skip
        assert not is_idempotent(op), op
    # an explicit answer wins over the name
    fn, calls = scripted(SpApiHttpError(500, "InternalFailure", "boom"), Response())
    caller().call("createSomethingHarmless", fn, idempotent=True)
    assert len(calls) == 2


def test_before_send_runs_right_before_each_request_after_the_bucket():
    events = []

    def fn(*args, **kwargs):
        events.append("request")
        if events.count("request") == 1:
            raise SpApiHttpError(429, "QuotaExceeded", "slow down")
        return Response()

    caller().call("createUnexpectedProblem", fn, before_send=lambda: events.append("dispatched"))
    assert events == ["dispatched", "request", "dispatched", "request"]
