"""What adding a message kind or a marketplace costs: how many existing files change (issue #22).

Each test copies the package (`plugins/buyer_messaging/`) and `include/` into a temporary
directory, makes the change there the way a newcomer would, and then runs the copy in a
fresh interpreter (PYTHONPATH at the copy, BUYER_MESSAGING_INCLUDE at its include/) against
a real migrated Postgres: the new kind is planned, rendered and linted to `ready`; an order
of the new marketplace is parsed, planned, rendered in its language and linted to `ready`.

What counts: every file of the original package and include/ that differs after the change
(byte comparison of the copy with the original). New files (the kind's SQL, its templates,
the new locale's templates) are listed but not counted: they are the content of the change,
not places one has to know about. Policy YAML an operator edits anyway (timing, the pack the
kind runs under, lint phrases for a new language) does count. Not counted, because the copy
does not hold them: docs, tests and the SP-API emulator (which plays Amazon and has its own
marketplace table); `bench/lint_eval/` keeps its own per-locale test corpora.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from buyer_messaging.locations import include_dir

pytestmark = pytest.mark.integration
PACKAGE = Path(__file__).resolve().parents[3] / "plugins" / "buyer_messaging"
MAX_EDITED = 3


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(
        PACKAGE, tmp_path / "plugins" / "buyer_messaging",
        ignore=shutil.ignore_patterns("__pycache__"),
    )  # fmt: skip
    shutil.copytree(include_dir(), tmp_path / "include")
    return tmp_path


def _originals() -> dict[str, Path]:
    files = {
        f"plugins/buyer_messaging/{p.relative_to(PACKAGE)}": p
        for p in PACKAGE.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    root = include_dir()
    files.update({f"include/{p.relative_to(root)}": p for p in root.rglob("*") if p.is_file()})
    return files


def _changes(tmp: Path) -> tuple[list[str], list[str]]:
    """(existing files edited or removed, new files) of the copy against the original."""
    originals = _originals()
    edited = [
        rel
        for rel, path in sorted(originals.items())
        if not (tmp / rel).is_file() or not filecmp.cmp(path, tmp / rel, shallow=False)
    ]
    copied = {
        str(p.relative_to(tmp))
        for p in tmp.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.parts[len(tmp.parts)] != "run.py"
    }
    return edited, sorted(copied - set(originals))


def _insert_after(path: Path, anchor: str, text: str) -> None:
    source = path.read_text()
    assert source.count(anchor) == 1, (path, anchor)
    path.write_text(source.replace(anchor, anchor + text))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _run(tmp: Path, dsn: str, script: str) -> dict:
    _write(tmp / "run.py", script)
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp / "plugins"),
        "BUYER_MESSAGING_INCLUDE": str(tmp / "include"),
        "DSN": dsn,
    }
    done = subprocess.run(
        [sys.executable, str(tmp / "run.py")], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # the copy ran, not the installed package
    assert result["package"].startswith(str(tmp)), result["package"]
    return result


_STAGE_AND_RUN = """
import json, sys
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo
import os

import buyer_messaging
from buyer_messaging.config import Account
from buyer_messaging.extract.parse import parse_item, parse_order
from buyer_messaging.plan.planner import plan_day
from buyer_messaging.compose.stage import render_and_lint
from buyer_messaging.extract import store as staging
from buyer_messaging.warehouse.connection import connect, transaction

account = Account.model_validate({{"id": "newcomer", "marketplace": {market!r}, "kinds": [{kind!r}]}})
zone = ZoneInfo(account.tz)
start = datetime(2026, 11, 20, tzinfo=zone)
updated = start + timedelta(hours=9)
iso = lambda m: m.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")
raw = {{
    "AmazonOrderId": "302-0000000-0000077", "MarketplaceId": account.market.marketplace_id,
    "OrderStatus": {status!r}, "PurchaseDate": iso(updated - timedelta(days=2)),
    "LastUpdateDate": iso(updated), "EarliestDeliveryDate": iso(updated + timedelta(days=2)),
    "LatestDeliveryDate": iso(updated + timedelta(days=4)),
    "OrderTotal": {{"CurrencyCode": account.market.currency, "Amount": "89.90"}},
}}
item = {{"OrderItemId": "1", "ASIN": "B000TEST01", "SellerSKU": "SKU-1", "Title": "Waterkoker",
        "QuantityOrdered": 1}}
order = parse_order(raw, account.id)
conn = connect(os.environ["DSN"])
with transaction(conn) as cur:
    staging.upsert_orders(cur, account.id, [order], [parse_item(item, account.id, raw["AmazonOrderId"])])
planned = plan_day(
    conn, account_id=account.id, kinds=account.kinds, run_day=start.date(),
    day=(start, start + timedelta(days=1)), now=start + timedelta(days=1, hours=1), tz=account.tz,
    marketplace=account.marketplace,
)
rendered = render_and_lint(conn, account_id=account.id, locale=account.market.locale, seller_name="Acme")
with conn.cursor() as cur:
    cur.execute(
        "SELECT status, locale, subject, body, error FROM messaging.outbox WHERE account_id = %s",
        (account.id,),
    )
    rows = cur.fetchall()
print(json.dumps({{
    "package": buyer_messaging.__file__, "tz": account.tz, "currency": order["currency"],
    "planned": dict(planned), "rendered": dict(rendered), "rows": rows,
}}, default=str))
"""

_KIND_TEXTS = {
    "en-US": ("About your order {o}", "Hello,\n\nyour order {o} has shipped. If anything is wrong with it, reply to this message and we will help."),
    "en-GB": ("About your order {o}", "Hello,\n\nyour order {o} has been dispatched. If anything is wrong with it, reply to this message and we will help."),
    "fr-FR": ("Votre commande {o}", "Bonjour,\n\nvotre commande {o} est partie. Si quelque chose ne va pas, répondez à ce message et nous vous aiderons."),
    "de-DE": ("Ihre Bestellung {o}", "Guten Tag,\n\nIhre Bestellung {o} ist unterwegs. Wenn etwas nicht stimmt, antworten Sie auf diese Nachricht und wir helfen Ihnen."),
    "es-ES": ("Su pedido {o}", "Hola,\n\nsu pedido {o} ha salido. Si algo no está bien, responda a este mensaje y le ayudaremos."),
    "it-IT": ("Il tuo ordine {o}", "Ciao,\n\nil tuo ordine {o} è partito. Se qualcosa non va, rispondi a questo messaggio e ti aiuteremo."),
}  # fmt: skip


def _template(subject: str, body: str) -> str:
    o = '{{ need("order_id") }}'
    return (
        f"{{% block subject %}}{subject.format(o=o)}{{% endblock %}}\n"
        f"{{% block body %}}\n{body.format(o=o)}\n{{% endblock %}}\n"
    )


def test_adding_a_kind_edits_at_most_three_existing_files(tmp_path, fresh_warehouse):
    tmp = _copy(tmp_path)
    pkg, include = tmp / "plugins" / "buyer_messaging", tmp / "include"
    # the declaration
    _insert_after(
        pkg / "domain.py", "KIND_LIST: tuple[MessageKind, ...] = (\n",
        '    MessageKind("delivery_check", "email_relay", False, ("default",), True),\n',
    )  # fmt: skip
    # its files: candidates (shipped, seller-fulfilled orders of the day) and one template per locale
    _write(pkg / "plan" / "sql" / "delivery_check.sql", (pkg / "plan" / "sql" / "shipment_confirmation.sql").read_text())  # fmt: skip
    for locale, (subject, body) in _KIND_TEXTS.items():
        _write(include / "templates" / "delivery_check" / f"{locale}.j2", _template(subject, body))
    # the policies it runs under: when it is due, and the pack that permits it
    _insert_after(include / "policies" / "timing.yaml", "kinds:\n", "  delivery_check:\n    stale_after_days: 3\n")  # fmt: skip
    pack = include / "policies" / "packs" / "amazon-2020.yaml"
    pack.write_text(pack.read_text() + "  delivery_check:\n    channel: email_relay\n    permitted: true\n")  # fmt: skip

    result = _run(tmp, fresh_warehouse, _STAGE_AND_RUN.format(market="DE", kind="delivery_check", status="Shipped"))  # fmt: skip

    assert result["planned"] == {"delivery_check:planned": 1}
    assert result["rendered"] == {"ready": 1}, result["rows"]
    [(status, locale, subject, body, error)] = result["rows"]
    assert (status, locale, error) == ("ready", "de-DE", None)
    assert subject == "Ihre Bestellung 302-0000000-0000077" and "unterwegs" in body
    edited, new = _changes(tmp)
    assert len(new) == 7, new  # the SQL and six templates
    assert len(edited) <= MAX_EDITED, edited
    assert edited == [
        "include/policies/packs/amazon-2020.yaml",
        "include/policies/timing.yaml",
        "plugins/buyer_messaging/domain.py",
    ]


_NL_UNAVAILABILITY = """{% block subject %}Bericht over uw bestelling {{ need("order_id") }}{% endblock %}
{% block body %}
Hallo,

helaas is dit artikel uit uw bestelling {{ need("order_id") }} niet meer leverbaar, daarom moesten wij uw bestelling annuleren:

{% for item in need("items")[:10] %}
{{ item.get("quantity") or 1 }} x {{ (item.get("title") or item.get("sku") or "") | clean }}
{% endfor %}

Wij hebben {{ need("refund_amount") | money }} terugbetaald op uw oorspronkelijke betaalmethode.

Met vriendelijke groet,
{{ seller_name | clean(80) }}
{% endblock %}
"""
_NL_OTHER = _template(
    "Uw bestelling {o}",
    "Hallo,\n\nover uw bestelling {o}: neem contact met ons op als er iets mis is.",
)


def test_adding_a_marketplace_with_a_new_language_edits_at_most_three_existing_files(
    tmp_path, fresh_warehouse
):
    """Amazon.nl: marketplace id A1805IZSGTT6HS, EU endpoint (developer-docs.amazon.com/sp-api/docs/marketplace-ids)."""
    tmp = _copy(tmp_path)
    pkg, include = tmp / "plugins" / "buyer_messaging", tmp / "include"
    _insert_after(
        pkg / "domain.py", "MARKETPLACE_LIST: tuple[Marketplace, ...] = (\n",
        '    Marketplace("NL", "A1805IZSGTT6HS", "eu-west-1", _EU, "EUR", "nl-NL", "Europe/Amsterdam", "NL"),\n',
    )  # fmt: skip
    # a template in the new language for every kind we write
    for folder in sorted(p for p in (include / "templates").iterdir() if p.is_dir()):
        if folder.name not in ("accounts", "review_request"):
            text = _NL_UNAVAILABILITY if folder.name == "unavailability_notice" else _NL_OTHER
            _write(folder / "nl-NL.j2", text)
    # the linter's required-content phrases in the new language (an unavailability notice
    # states its reason)
    _insert_after(
        include / "policies" / "lint" / "40_required.yaml", "  reason: &reason\n",
        "    nl: ['\\b(?:niet (?:meer )?leverbaar|uitverkocht|vertraagd|geannuleerd|annuleren|beschadigd|leverancier|fabrikant)\\b']\n",
    )  # fmt: skip

    result = _run(tmp, fresh_warehouse, _STAGE_AND_RUN.format(market="NL", kind="unavailability_notice", status="Canceled"))  # fmt: skip

    assert result["tz"] == "Europe/Amsterdam" and result["currency"] == "EUR"
    assert result["planned"] == {"unavailability_notice:planned": 1}
    assert result["rendered"] == {"ready": 1}, result["rows"]
    [(status, locale, subject, body, error)] = result["rows"]
    assert (status, locale, error) == ("ready", "nl-NL", None)
    assert "302-0000000-0000077" in subject
    assert "€\xa089,90" in body  # Babel's Dutch money format: the locale reached the renderer
    edited, new = _changes(tmp)
    assert len(new) == 5, new  # nl-NL.j2 for the five kinds we write
    assert len(edited) <= MAX_EDITED, edited
    assert edited == [
        "include/policies/lint/40_required.yaml",
        "plugins/buyer_messaging/domain.py",
    ]
