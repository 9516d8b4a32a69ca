"""The linter's fast paths give what their plain regex forms give."""

from __future__ import annotations

import pytest

from buyer_messaging.lint.phones import ORDER_ID, mask_order_ids


@pytest.mark.parametrize(
    "text",
    [
        "order 112-3345120-9981726 and d01-1234567-1234567, then 112-3345120-9981726.",
        "112-3345120-9981726",  # at the very start and end
        "x112-3345120-9981726 112-3345120-99817260 -112-3345120-9981726 112-3345120-9981726-",
        "1112-3345120-9981726 12-3345120-9981726 -1234567-1234567-1234567",
        "tel 0049 30 1234567 - no order id here",
        "",
    ],
)
def test_masking_order_ids_matches_the_order_id_regex(text: str) -> None:
    expected = ORDER_ID.sub(lambda m: "#" * len(m.group(0)), text)
    assert mask_order_ids(text) == expected
    assert len(mask_order_ids(text)) == len(text)
