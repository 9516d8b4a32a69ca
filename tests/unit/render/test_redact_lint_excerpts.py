"""Lint excerpts stored as error text never carry the buyer's name or address (DESIGN:
"Buyer PII never appears in any error text")."""

from buyer_messaging.compose.stage import buyer_pii, redact


def test_the_words_of_name_and_address_are_redacted_wherever_an_excerpt_cuts():
    pii = buyer_pii({
        "buyer_name": "<b>Bob</b> Tables 🌸",
        "delivery_address": ["Bob Tables", "1200 12th Ave S", "Seattle, WA 98144"],
    })  # fmt: skip
    excerpt = "…Tables\n1200 12th Ave S\nSeattle, WA 98144 call 555-0100"
    out = redact(excerpt, pii)
    for word in ("Tables", "1200", "12th", "Seattle", "98144"):
        assert word not in out
    assert "call 555-0100" in out  # the violation itself stays readable
    assert redact("Bobby", pii) == "Bobby"  # whole words only
    assert redact("anything", []) == "anything"
