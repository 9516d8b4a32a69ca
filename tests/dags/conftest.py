import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """Airflow's metadata DB (SQLite in the session's AIRFLOW_HOME), needed by dag.test()."""
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True)


@pytest.fixture
def smtp_relay(monkeypatch):
    """A real local SMTP server as connection `smtp_relay`; yields the messages it received."""
    import json
    import socket

    from aiosmtpd.controller import Controller

    received: list[dict[str, str]] = []

    class Keep:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
            received.append(
                {
                    "to": ",".join(envelope.rcpt_tos),
                    "data": envelope.content.decode("utf-8", "replace"),
                }
            )
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv(
        "AIRFLOW_CONN_SMTP_RELAY",
        json.dumps(
            {
                "conn_type": "smtp",
                "host": "127.0.0.1",
                "port": port,
                "extra": {
                    "from_email": "seller@seller.example",
                    "disable_tls": True,
                    "disable_ssl": True,
                },
            }
        ),
    )
    yield received
    controller.stop()
