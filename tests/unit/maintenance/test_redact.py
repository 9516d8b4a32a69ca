"""buyer_messaging.redact: what error texts keep and what they lose."""

from buyer_messaging.redact import EMAIL_MARK, ITEM_PII_KEYS, buyer_values, scrub, scrub_tree


def test_scrub_removes_addresses_and_known_values_keeps_the_rest():
    # smtplib.SMTPRecipientsRefused.recipients as channels.py formats it (a dict)
    text = "relay refused the recipient: {'Ab.c+1@marketplace.amazon.co.uk': (550, b'5.1.1 <Ab.c+1@marketplace.amazon.co.uk> unknown')}"
    assert scrub(text) == (
        f"relay refused the recipient: {{'{EMAIL_MARK}': (550, b'5.1.1 <{EMAIL_MARK}> unknown')}}"
    )
    assert scrub("Hello JOHN smith, 12 Elm St", ["John Smith", "12 Elm St", "US"]) == (
        "Hello [buyer data removed], [buyer data removed]"
    )
    assert scrub("ship to the US", ["US"]) == "ship to the US"  # too short to be buyer data
    assert scrub(None) is None and scrub("") == ""


def test_buyer_values_walks_every_buyer_field_of_both_order_formats():
    v0 = {"BuyerInfo": {"BuyerEmail": "a@b.example", "BuyerName": "Ann Lee"},
          "ShippingAddress": {"Name": "Ann Lee", "AddressLine1": "1 Main St", "CountryCode": "US"},
          "OrderStatus": "Shipped"}  # fmt: skip
    assert buyer_values(v0) == {"a@b.example", "Ann Lee", "1 Main St"}
    v2026 = {
        "buyer": {"buyerName": "Bo Chen"},
        "recipient": {"deliveryAddress": {"addressLine1": "9 Rue X"}},
    }
    assert buyer_values(v2026) == {"Bo Chen", "9 Rue X"}
    item = {"BuyerInfo": {"GiftMessageText": "Love, Ann"}, "Title": "Mug"}
    assert buyer_values(item, ITEM_PII_KEYS) == {"Love, Ann"}
    assert buyer_values(["not", "an", "object"]) == set()


def test_scrub_tree_reaches_nested_strings():
    tree = {"outbox": [{"error": "to x@y.example", "attempts": 2}], "n": None}
    assert scrub_tree(tree) == {"outbox": [{"error": f"to {EMAIL_MARK}", "attempts": 2}], "n": None}
