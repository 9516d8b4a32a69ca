"""signals: negative feedback and bad returns open cases, raise an alert, and stop solicitation.

Runs after validation and before planning, so the day's plan already skips every
non-critical message to an order with a case and to every other order of the same buyer
(the planner reads `messaging.cases`). The alert names the account, the orders and the
signals, never buyer data (a rating's comment is the buyer's text: it stays in the
warehouse).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from buyer_messaging.signals.cases import Case, open_cases, skip_pending
from buyer_messaging.signals.policy import SignalsPolicy, load_signals
from buyer_messaging.warehouse.connection import transaction

if TYPE_CHECKING:
    from psycopg2.extensions import connection as PgConnection

log = logging.getLogger(__name__)


def open_signal_cases(
    conn: PgConnection,
    account_id: str,
    *,
    tz: str,
    noncritical_kinds: Sequence[str],
    policy: SignalsPolicy | None = None,
) -> tuple[list[Case], int]:
    """Open the new cases and skip what is still pending for them: (new cases, skipped)."""
    policy = policy or load_signals()
    with transaction(conn) as cur:
        cases = open_cases(
            cur,
            account_id,
            max_stars=policy.negative_feedback_max_stars,
            reasons=policy.negative_return_reasons,
            tz=tz,
        )
        skipped = skip_pending(cur, account_id, [c.id for c in cases], list(noncritical_kinds))
    return cases, skipped


def alert_text(account_id: str, cases: Sequence[Case]) -> tuple[str, str]:
    subject = f"[buyer-messaging] {account_id}: {len(cases)} new negative signal(s)"
    lines = [
        f"Account {account_id}: {len(cases)} order(s) got a negative signal. Each has an open"
        " issue-resolution case; no further review request or other non-critical message goes"
        " to the order or to the buyer's other orders.",
        "",
    ]
    lines += [f"- order {c.amazon_order_id}: {c.signal} ({c.signalled_on})" for c in cases]
    lines += [
        "",
        "Reach out through Buyer-Seller Messaging to make it right (never ask to change or remove"
        " feedback), then close the case: buyer-messaging cases close --account"
        f" {account_id} --order ORDER --by NAME --resolution TEXT",
    ]
    return subject, "\n".join(lines)


def notifier_from_spec(spec: dict[str, Any]) -> Any:
    """An Airflow notifier from {notifier: "package.module.Class", params: {...}}."""
    module, _, name = spec["notifier"].rpartition(".")
    cls = getattr(importlib.import_module(module), name)
    return cls(**(spec.get("params") or {}))


def alert_new_cases(
    account_id: str,
    cases: Sequence[Case],
    *,
    recipients: Sequence[str] = (),
    notifiers: Sequence[dict[str, Any]] = (),
    context: Mapping[str, object] | None = None,
) -> int:
    """Log the alert and send it through every configured notifier; returns how many sent.
    A notifier that fails is logged and skipped: the cases are open whatever it says."""
    if not cases:
        return 0
    subject, body = alert_text(account_id, cases)
    log.warning("%s\n%s", subject, body)
    built: list[Any] = []
    if recipients:
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier

        built.append(
            SmtpNotifier(
                to=list(recipients),
                subject=subject,
                html_content=f"<pre>{body}</pre>",
                smtp_conn_id="smtp_relay",
            )
        )
    sent = 0
    for spec in notifiers:
        try:
            built.append(notifier_from_spec(spec))
        except Exception:
            log.exception("case notifier %s could not be built", spec.get("notifier"))
    # notifiers render their templated fields from the context: {{ case_subject }} and
    # {{ case_summary }} give the alert's text to any notifier the seller configures
    ctx = {**(context or {}), "case_subject": subject, "case_summary": body}
    for notifier in built:
        try:
            notifier(ctx)
            sent += 1
        except Exception:
            log.exception("case alert through %s failed", type(notifier).__name__)
    return sent
