"""extract_feedback against the emulator's GET_SELLER_FEEDBACK_DATA, through the real client."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from extract_helpers import NOW, TIME_SCALE, US, caller, client, fast_polling, rows

from buyer_messaging.extract.feedback import extract_feedback
from buyer_messaging.extract.parse import buyer_hash

pytestmark = pytest.mark.integration

WINDOW = (datetime(2026, 9, 25, tzinfo=UTC), datetime(2026, 11, 19, tzinfo=UTC))


@pytest.fixture
def server(emulator_factory):
    return emulator_factory(seed=5, orders_per_day=40, time_scale=TIME_SCALE, now=NOW)


def _extract(wh, url: str, account_id: str):
    return extract_feedback(
        wh, client("reports", url), caller(), account_id=account_id, window=WINDOW,
        marketplace="US", marketplace_id=US, salt="salt", polling=fast_polling(),
    )  # fmt: skip


def test_ratings_land_hashed_and_a_rerun_changes_nothing(wh, server):
    stats = _extract(wh, server.url, "fb_a")
    landed = rows(wh, "SELECT * FROM staging.seller_feedback WHERE account_id = %s", "fb_a")
    assert stats.rejected == 0 and stats.loaded == len(landed) > 5
    assert stats.negative == sum(1 for r in landed if r["rating"] <= 2) > 0
    for r in landed:
        assert 1 <= r["rating"] <= 3
        assert WINDOW[0].date() <= r["feedback_date"] <= WINDOW[1].date()
        assert "@" not in repr(r)  # the rater's e-mail is never stored
        # the same hash as the order's buyer_hash: one rating reaches all of a buyer's orders
        facts = server.emulator.catalog.find(r["amazon_order_id"])
        assert facts is not None and facts.delivered_at is not None
        assert r["rater_hash"] == buyer_hash(facts.buyer_email, "salt")
    before = rows(wh, "SELECT amazon_order_id, rating, rater_hash FROM staging.seller_feedback"
                  " WHERE account_id = %s ORDER BY 1", "fb_a")  # fmt: skip
    _extract(wh, server.url, "fb_a")
    after = rows(wh, "SELECT amazon_order_id, rating, rater_hash FROM staging.seller_feedback"
                 " WHERE account_id = %s ORDER BY 1", "fb_a")  # fmt: skip
    assert before == after
