"""The demo's alert count: only the mail its own run received (var/demo keeps earlier runs')."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from pathlib import Path

from buyer_messaging.demo import _alerts, _mail_keys


def _mail(box: mailbox.Maildir, to: str, subject: str) -> None:
    m = EmailMessage()
    m["To"], m["Subject"] = to, subject
    m.set_content("x")
    box.add(m)


def test_alerts_count_only_mail_that_arrived_during_this_run(tmp_path: Path) -> None:
    box = mailbox.Maildir(str(tmp_path / "mail"), create=True)
    _mail(box, "ops@seller.example", "earlier run's alert")
    before = _mail_keys(tmp_path / "mail")
    _mail(box, "ops@seller.example", "this run's alert")
    _mail(box, "buyer@marketplace.example", "a buyer's message")
    got = _alerts(tmp_path / "mail", ("ops@seller.example",), before)
    assert got == ["this run's alert"]
    assert _alerts(tmp_path / "mail", (), before) == []
    assert _mail_keys(tmp_path / "absent") == set()
