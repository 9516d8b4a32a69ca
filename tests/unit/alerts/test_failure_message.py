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
    assert (
        "Stage: validate" in body
        and "RuntimeError: acme_us 2026-11-20: 12.0% of orders are bad" in body
    )


def test_the_day_is_the_accounts_local_day():
    # Berlin's 2026-11-20 starts at 23:00 UTC the day before
    context = {
        "ti": SimpleNamespace(dag_id="buyer_messaging_acme_de", task_id="send"),
        "data_interval_start": datetime(2026, 11, 19, 23, tzinfo=UTC),
        "exception": RuntimeError("x"),
    }
    subject, _ = failure_message(context, "Europe/Berlin")
    assert subject == "[buyer-messaging] acme_de 2026-11-20: send failed"


def test_without_recipients_the_callback_only_logs(caplog):
    context = {
        "ti": SimpleNamespace(dag_id="buyer_messaging_x", task_id="send"),
        "exception": ValueError("boom"),
    }
    notify_failure(())(context)
    assert "[buyer-messaging] x ?: send failed" in caplog.text
