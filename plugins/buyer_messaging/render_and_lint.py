"""render_and_lint: planned messages get their text and a lint verdict, then become ready.

Review requests go through Amazon's Solicitations API, which sends Amazon's own text: there
is nothing of ours to render or lint, so they move straight to ready.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from buyer_messaging.warehouse import outbox
from buyer_messaging.warehouse.connection import transaction

AMAZON_WRITTEN = ["review_request"]


def render_and_lint(conn: Any, *, account_id: str, locale: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    with transaction(conn) as cur:
        counts["ready"] += outbox.ready_without_text(cur, account_id, AMAZON_WRITTEN, locale)
    return counts
