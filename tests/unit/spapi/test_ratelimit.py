"""Pacing: a virtual clock shows exactly how many calls go out per second."""

from buyer_messaging.spapi.ratelimit import TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_burst_then_rate():
    clock = Clock()
    bucket = TokenBucket(rate=2.0, burst=5, clock=clock, sleep=clock.sleep)
    stamps = []
    for _ in range(25):
        bucket.acquire()
        stamps.append(clock.now)
    assert stamps[:5] == [0.0] * 5  # the burst goes out at once
    # then one call every 1/rate seconds: 20 more calls take 10 s
    assert abs(stamps[-1] - 10.0) < 1e-6


def test_adopts_the_rate_amazon_reports():
    clock = Clock()
    bucket = TokenBucket(rate=0.5, burst=1, clock=clock, sleep=clock.sleep)
    bucket.acquire()
    bucket.set_rate(10.0)
    for _ in range(10):
        bucket.acquire()
    assert abs(clock.now - 1.0) < 1e-6


def test_throttle_empties_bucket_and_pauses():
    clock = Clock()
    bucket = TokenBucket(rate=1.0, burst=10, clock=clock, sleep=clock.sleep)
    pause = bucket.throttled(2.0)
    assert 1.0 <= pause <= 3.0
    bucket.acquire()
    assert clock.now >= pause
