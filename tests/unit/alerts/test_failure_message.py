from datetime import UTC, datetime
from types import SimpleNamespace

from buyer_messaging.alerts import failure_message, notify_failure


def test_failure_message_names_account_day_stage_and_cause():
    context = {
        "ti": SimpleNamespace(dag_id="buyer_messaging_acme_us", task_id="validate"),
        "data_interval_start": datetime(2026, 11, 20, 8, tzinfo=UTC),
        "exception": RuntimeError("acme_us 2026-11-20: 12.0% of orders are bad"),
    }
    subject, body = failure_message(context)
    assert subject == "[buyer-messaging] acme_us 2026-11-20: validate failed"
    assert "Stage: validate" in body and "RuntimeError: acme_us 2026-11-20: 12.0% of orders are bad" in body


def test_without_recipients_the_callback_only_logs(caplog):
    context = {"ti": SimpleNamespace(dag_id="buyer_messaging_x", task_id="send"), "exception": ValueError("boom")}
    notify_failure(())(context)
    assert "[buyer-messaging] x ?: send failed" in caplog.text
