"""What the containers run, exercised here without Docker: docker/airflow-init.sh with stand-ins
for `airflow` and `buyer-messaging`, and the SP-API emulator started with the compose command,
probed on the healthcheck's URL and the demo connection's token URL."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from compose_helpers import INIT_SCRIPT, ROOT, compose_resolved

STUB = """#!/usr/bin/env bash
echo "{name} $*" >> "$STUB_LOG"
if [[ "{name} $1 $2" == "airflow pools get" ]]; then
    [[ " $EXISTING_POOLS " == *" $3 "* ]] && exit 0 || exit 1
fi
exit 0
"""


def _stubs(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("airflow", "buyer-messaging", "chown"):
        path = bin_dir / name
        path.write_text(STUB.replace("{name}", name))
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    python = bin_dir / "python"  # the image's python, with the package installed
    python.write_text(f'#!/usr/bin/env bash\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    return bin_dir


def _run_init(tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    bin_dir = _stubs(tmp_path)
    log = tmp_path / "calls.log"
    log.write_text("")
    environment = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "STUB_LOG": str(log),
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW_UID": "50000",
        "AIRFLOW_ADMIN_USERNAME": "admin",
        "AIRFLOW_ADMIN_PASSWORD": "s3cret-pa55",
        "BUYER_MESSAGING_ACCOUNTS": str(ROOT / "include" / "accounts.yaml"),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(
            tmp_path / "airflow" / "auth" / "passwords.json"
        ),
        "BUYER_MESSAGING_DATA_DOCS": str(tmp_path / "airflow" / "data_docs"),
        "EXISTING_POOLS": "",
        **env,
    }
    done = subprocess.run(
        ["bash", str(INIT_SCRIPT)], env=environment, capture_output=True, text=True, timeout=120
    )
    return done, log.read_text().splitlines()


def test_init_script_syntax() -> None:
    subprocess.run(["bash", "-n", str(INIT_SCRIPT)], check=True)


def test_init_migrates_creates_admin_pools_and_warehouse(tmp_path: Path) -> None:
    done, calls = _run_init(tmp_path, EXISTING_POOLS="spapi_acme_us")
    assert done.returncode == 0, done.stdout + done.stderr

    assert calls[0] == "airflow db migrate"
    assert "airflow pools set spapi_demo 4 SP-API sends for account demo" in calls
    assert not any(c.startswith("airflow pools set spapi_acme_us") for c in calls), (
        "an existing pool keeps its slots"
    )
    assert calls.index("buyer-messaging migrate") > calls.index("airflow db migrate")
    assert calls[-1].startswith("chown -R 50000:0"), "the shared volumes are handed over last"
    assert str(tmp_path / "airflow" / "logs") in calls[-1]

    passwords = tmp_path / "airflow" / "auth" / "passwords.json"
    assert json.loads(passwords.read_text()) == {"admin": "s3cret-pa55"}
    assert stat.S_IMODE(passwords.stat().st_mode) == 0o600
    assert "s3cret-pa55" not in done.stdout + done.stderr, "the admin password is never printed"
    for folder in ("logs", "auth", "data_docs"):
        assert (tmp_path / "airflow" / folder).is_dir()


def test_init_is_idempotent(tmp_path: Path) -> None:
    first, _ = _run_init(tmp_path)
    (tmp_path / "bin").rename(tmp_path / "bin-first")
    again, calls = _run_init(
        tmp_path, EXISTING_POOLS="spapi_demo spapi_acme_us", AIRFLOW_ADMIN_PASSWORD="rotated"
    )
    assert first.returncode == again.returncode == 0, again.stderr
    assert not any(c.startswith("airflow pools set") for c in calls)
    assert json.loads((tmp_path / "airflow" / "auth" / "passwords.json").read_text()) == {
        "admin": "rotated"
    }


def test_init_refuses_an_empty_admin_password(tmp_path: Path) -> None:
    done, calls = _run_init(tmp_path, AIRFLOW_ADMIN_PASSWORD="")
    assert done.returncode != 0
    assert "AIRFLOW_ADMIN_PASSWORD" in done.stderr
    assert calls == [], "nothing is migrated before the settings are checked"


def test_init_stops_on_a_bad_accounts_file(tmp_path: Path) -> None:
    bad = tmp_path / "accounts.yaml"
    bad.write_text("accounts:\n  - id: Bad Id\n    marketplace: US\n")
    done, calls = _run_init(tmp_path, BUYER_MESSAGING_ACCOUNTS=str(bad))
    assert done.returncode != 0
    assert "buyer-messaging migrate" not in calls


# --- the emulator as compose starts it ---------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def emulator_url():
    """The compose service's command, with the host port swapped for a free local one."""
    service = compose_resolved()["services"]["spapi-emulator"]
    argv = [*service["entrypoint"], *service["command"]]
    assert argv[:3] == ["python", "-m", "spapi_emulator"]
    args = argv[3:]
    port = _free_port()
    args[args.index("--host") + 1] = "127.0.0.1"
    args[args.index("--port") + 1] = str(port)
    proc = subprocess.Popen([sys.executable, "-m", "spapi_emulator", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, cwd=ROOT)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            if "listening on" in proc.stdout.readline():
                break
            assert proc.poll() is None, "the emulator exited"
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _local(url: str, base: str) -> str:
    """A container URL (http://spapi-emulator:8000/x or http://127.0.0.1:8000/x) on the local emulator."""
    parts = urlsplit(url)
    return base + parts.path + (f"?{parts.query}" if parts.query else "")


def _open(url: str, data: bytes | None = None):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return opener.open(urllib.request.Request(url, data=data), timeout=10)


def test_emulator_healthcheck_url_answers(emulator_url: str) -> None:
    test = compose_resolved()["services"]["spapi-emulator"]["healthcheck"]["test"]
    url = next(part for part in test[-1].split("'") if part.startswith("http://"))
    with _open(_local(url, emulator_url)) as response:
        assert response.status == 200


def test_demo_connection_token_url_answers(emulator_url: str) -> None:
    conn = json.loads(
        compose_resolved()["x-airflow-common"]["environment"]["AIRFLOW_CONN_SPAPI_DEMO"]
    )
    extra = conn["extra"]
    form = (f"grant_type=refresh_token&refresh_token={extra['refresh_token']}"
            f"&client_id={extra['lwa_app_id']}&client_secret={extra['lwa_client_secret']}").encode()  # fmt: skip
    with _open(_local(extra["lwa_endpoint"], emulator_url), data=form) as response:
        assert json.loads(response.read())["access_token"]
