"""EDF over one rate-limited server: the forecast of a standing queue and the offline floor."""

from datetime import UTC, datetime, timedelta

import pytest

from buyer_messaging.send.forecast import forecast_expiring, minimum_expired

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def test_forecast_of_a_hand_computed_queue():
    # at 1/s sends leave at 0, 1, 2, 3, ... s. Deadlines (exclusive):
    #   3 due by 2 s -> sends at 0 and 1 fit: 1 expires
    #   2 due by 5 s -> sends at 2 and 3: both fit
    #   4 due by 6 s -> sends at 4 and 5: 2 expire
    queue = [(at(6), 4), (at(2), 3), (at(5), 2)]
    assert forecast_expiring(queue, now=NOW, rate=1.0) == 1 + 0 + 2


def test_forecast_at_half_the_rate_and_past_deadlines():
    # at 0.5/s sends leave at 0, 2, 4 s: by 5 s three fit; a deadline already past fits none
    assert forecast_expiring([(at(5), 5)], now=NOW, rate=0.5) == 2
    assert forecast_expiring([(at(-1), 4), (at(5), 3)], now=NOW, rate=0.5) == 4


def test_a_deadline_exactly_on_a_send_is_missed():
    # a send at 2 s is not before a deadline of 2 s: sends at 0 and 1 only
    assert forecast_expiring([(at(2), 3)], now=NOW, rate=1.0) == 1


def test_rate_must_be_positive():
    with pytest.raises(ValueError, match="rate"):
        forecast_expiring([(at(5), 1)], now=NOW, rate=0)


def test_minimum_expired_serves_earliest_deadline_first():
    # released together at 0: deadlines 10, 1.5, 2.5, 1.5 at 1/s -> sends at 0 (1.5), 1 (1.5),
    # 2 (2.5), 3 (10): nothing expires; FIFO by release order would miss one of the 1.5s
    assert minimum_expired([(0, 10), (0, 1.5), (0, 2.5), (0, 1.5)], rate=1.0) == (0, 4)


def test_minimum_expired_idles_until_an_arrival_and_drops_closed_windows():
    # two at 0 due by 1 (one fits), one at 5 due by 5.5 (fits, after idling)
    assert minimum_expired([(0, 1), (0, 1), (5, 5.5)], rate=1.0) == (1, 2)


def test_minimum_expired_counts_only_windows_closing_by_until():
    # 5 at 0: deadlines 2, 2, 2, 100, 100, until 3 at 1/s: sends at 0, 1, 2 -> two of the 2s
    # go (0, 1), the third misses; the 100s are not counted as expired
    expired, sent = minimum_expired([(0, 2)] * 3 + [(0, 100)] * 2, rate=1.0, until=3)
    assert (expired, sent) == (1, 3)


def test_forecast_agrees_with_the_simulation_when_all_are_released_now():
    jobs = [(0.0, d) for d in (0.5, 0.5, 3, 3, 3, 3, 4.2, 9, 9.5)]
    queue = [(at(d), 1) for _, d in jobs]
    assert forecast_expiring(queue, now=NOW, rate=1.0) == minimum_expired(jobs, rate=1.0)[0]
