"""Known facts: `lint --jsonl` takes optional `facts` per message (the values the renderer put
in) and reads them as the order's data; a bad `facts` field is reported with its line and the
other lines are still linted."""

from __future__ import annotations

import io
import json
from pathlib import Path

from buyer_messaging.lint.command import run_jsonl
from buyer_messaging.lint.facts import find_known
from buyer_messaging.lint.text import normalize

OID = "112-3345120-9981726"
MSG = {"kind": "shipment_confirmation", "locale": "en-US", "subject": f"Order {OID}",
       "body": f"Your 1 x Cook.it Chef Knife Set from order {OID} has shipped with UPS, "
               "tracking 1Z999AA10123456784. Expected delivery: November 25, 2026."}  # fmt: skip


def test_jsonl_reads_facts_as_the_orders_data(tmp_path: Path) -> None:
    facts = {"order_id": OID, "item_titles": ["Cook.it Chef Knife Set"],
             "tracking_numbers": ["1Z999AA10123456784"], "address": "Via Roma 12, 00184 Roma"}  # fmt: skip
    lines = [
        json.dumps({"id": "no-facts", **MSG}),
        json.dumps({"id": "facts", **MSG, "facts": facts}),
        json.dumps({"id": "bad", **MSG, "facts": ["Cook.it Chef Knife Set"]}),
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = run_jsonl(str(src), out, err=err)
    rows = {r["id"]: r for r in map(json.loads, out.getvalue().splitlines())}
    # without facts the brand, written like a domain, reads as a link
    assert rows["no-facts"]["verdict"] == "block"
    assert rows["facts"] == {"id": "facts", "verdict": "pass", "violations": []}
    assert "bad" not in rows
    assert "line 3: field 'facts' must be an object, got list" in err.getvalue()
    assert code == 1


def test_titles_and_addresses_are_blanked_tracking_numbers_found_in_groups() -> None:
    norm = normalize("Your 5 Stars Deluxe to Via Roma 12; UPS 1Z 999 AA1 01 2345 6784.")
    known = find_known(
        norm,
        {"items": [{"title": "5 Stars Deluxe", "quantity": 2}], "address": {"street": "Via Roma 12"},
         "tracking_number": "1Z999AA10123456784", "carrier_name": "UPS"},
        normalize,
    )  # fmt: skip
    assert known.masked == "your x xxxxx xxxxxx to xxx xxxx xx; ups 1z 999 aa1 01 2345 6784."
    assert [norm[s:e] for s, e in known.tracking_spans] == ["1z 999 aa1 01 2345 6784"]
    assert find_known(norm, None, normalize).masked == norm
