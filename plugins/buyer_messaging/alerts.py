"""Failure callback: which account, day and stage failed, and why — by e-mail through the
`smtp_relay` connection when the account names recipients, and always in the task log."""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

log = logging.getLogger("buyer_messaging.alerts")


def failure_message(context: dict[str, Any], tz: str | None = None) -> tuple[str, str]:
    """`tz`: the account's time zone, in which its day is named (Airflow's interval is UTC)."""
    ti = context.get("ti") or context.get("task_instance")
    dag_id = getattr(ti, "dag_id", None) or getattr(context.get("dag"), "dag_id", "?")
    task_id = getattr(ti, "task_id", "?")
    start = context.get("data_interval_start")
    if start is not None and tz:
        start = start.astimezone(ZoneInfo(tz))
    day = start.date().isoformat() if start is not None else "?"
    error = context.get("exception")
    account = dag_id.removeprefix("buyer_messaging_")
    subject = f"[buyer-messaging] {account} {day}: {task_id} failed"
    body = (
        f"Account: {account}\nDay: {day} (data interval starting {start})\nStage: {task_id}\n"
        f"Error: {type(error).__name__ if error else 'unknown'}: {error}\n\n"
        f"Re-run the stage by clearing it in the Airflow UI: every stage is safe to re-run."
    )
    return subject, body


def notify_failure(recipients: tuple[str, ...], tz: str | None = None) -> Any:
    def callback(context: dict[str, Any]) -> None:
        subject, body = failure_message(context, tz)
        log.error("%s\n%s", subject, body)
        if not recipients:
            return
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier

        try:
            SmtpNotifier(
                to=list(recipients), subject=subject, html_content=f"<pre>{body}</pre>", smtp_conn_id="smtp_relay"
            ).notify(context)
        except Exception:  # an alert that cannot be sent must not hide the original failure
            log.exception("could not send the failure e-mail through smtp_relay")

    return callback
