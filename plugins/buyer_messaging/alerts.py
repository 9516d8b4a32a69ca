"""Failure callback: which account, day and stage failed, and why — by e-mail through the
`smtp_relay` connection when the account names recipients, and always in the task log."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from airflow.sdk import Context

log = logging.getLogger("buyer_messaging.alerts")


def failure_message(context: Context, tz: str | None = None) -> tuple[str, str]:
    """`tz`: the account's time zone, in which its day is named (Airflow's interval is UTC)."""
    ti = context.get("ti") or context.get("task_instance")
    dag_id = str(getattr(ti, "dag_id", None) or getattr(context.get("dag"), "dag_id", "?"))
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


def notify_failure(recipients: tuple[str, ...], tz: str | None = None) -> Callable[[Context], None]:
    def callback(context: Context) -> None:
        subject, body = failure_message(context, tz)
        log.error("%s\n%s", subject, body)
        if not recipients:
            return
        try:
            send_alert(recipients, subject, body)
        except Exception as err:  # an alert that cannot be sent must not hide the original failure
            log.error(
                "could not send the failure e-mail through smtp_relay: %s: %s",
                type(err).__name__,
                err,
            )

    return callback


def send_alert(recipients: tuple[str, ...], subject: str, body: str) -> None:
    """By the same connection, read the same way (TLS by default), as the buyer mail."""
    import smtplib
    import ssl
    from email.message import EmailMessage

    from airflow.sdk import BaseHook

    from buyer_messaging.send.wiring import SMTP_CONN_ID, smtp_settings_from_connection

    smtp = smtp_settings_from_connection(BaseHook.get_connection(SMTP_CONN_ID))
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = smtp.sender, ", ".join(recipients), subject
    msg.set_content(body)
    with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as server:
        if smtp.starttls:
            server.starttls(context=ssl.create_default_context())
        if smtp.login:
            server.login(smtp.login, smtp.password or "")
        server.send_message(msg)
