"""The front door (issue #22): a plain install of the wheel plus the README's steps gives a green
run and the dashboard.

A fresh virtual environment gets only the built wheel (`uv pip install`, its dependencies from the
package index); then, as README.md's "Running it for a real seller account" says: the DAG files in
the DAGs folder, an accounts file, the connections `spapi_<id>` and `messaging_warehouse`, `airflow
db migrate`, `airflow dags test buyer_messaging_<id> <date>` and `airflow api-server`, whose
dashboard is asked with a login of Airflow's default auth manager. The project's own venv runs
only the SP-API emulator (a development tool, not in the wheel).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from uv_tool import skip_if_index_unreachable, uv_command

pytestmark = [pytest.mark.integration, pytest.mark.timeout(420)]

ROOT = Path(__file__).resolve().parents[3]
ACCOUNT = "acme_us"
# the kinds that need no SMTP relay: the walk sends through the SP-API emulator only
ACCOUNTS_YAML = f"""\
accounts:
  - id: {ACCOUNT}
    marketplace: US
    kinds: [review_request, unavailability_notice]
    lookback_days: 5
"""
ACCOUNT_TZ = "America/Los_Angeles"  # the US marketplace's, as the account names no timezone
STEP_TIMEOUT_S = 240


def _install_wheel(wheel: Path, venv: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    install = [
        *uv_command(),
        "pip",
        "install",
        "--python",
        str(venv / "bin" / "python"),
        str(wheel),
    ]
    done = subprocess.run(install, capture_output=True, text=True, timeout=STEP_TIMEOUT_S)
    if done.returncode != 0:
        skip_if_index_unreachable("cannot install the wheel's dependencies")
        raise AssertionError(f"uv pip install of the wheel failed:\n{done.stderr[-4000:]}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def emulator_url() -> Iterator[str]:
    """The SP-API emulator, run from the project's venv (it is not in the wheel)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "spapi_emulator", "--port", "0", "--quiet", "--seed", "7",
         "--orders-per-day", "20", "--marketplaces", "US", "--time-scale", "100"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
        start_new_session=True,
    )  # fmt: skip
    try:
        line = proc.stdout.readline()
        assert "listening on " in line, f"the emulator did not start: {line!r}"
        yield line.split("listening on ", 1)[1].strip()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _user_env(home: Path, venv: Path, accounts: Path) -> dict[str, str]:
    """A shell of someone who installed the wheel: none of this test session's settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AIRFLOW", "BUYER_MESSAGING", "VIRTUAL_ENV", "PYTHON"))
    }
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        BUYER_MESSAGING_ACCOUNTS=str(accounts),
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    return env


def _airflow(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    airflow = str(Path(env["PATH"].split(os.pathsep)[0]) / "airflow")
    done = subprocess.run(
        [airflow, *args], env=env, capture_output=True, text=True, timeout=STEP_TIMEOUT_S
    )
    assert done.returncode == 0, (
        f"airflow {' '.join(args)} exited {done.returncode}:\n{(done.stdout + done.stderr)[-6000:]}"
    )
    return done


def _connections(emulator_url: str, warehouse_dsn: str) -> dict[str, object]:
    """README steps 3 and 4, in the form `airflow connections import` reads."""
    from psycopg2.extensions import parse_dsn

    pg = parse_dsn(warehouse_dsn)
    return {
        f"spapi_{ACCOUNT}": {
            "conn_type": "amazon_sp_api",
            "extra": {
                "refresh_token": "Atzr|emulator-refresh-token",  # what the emulator accepts
                "lwa_app_id": "amzn1.application-oa2-client.frontdoor",
                "lwa_client_secret": "frontdoor-client-secret",
                "endpoint": emulator_url,
                "lwa_endpoint": f"{emulator_url}/auth/o2/token",
            },
        },
        "messaging_warehouse": {
            "conn_type": "postgres",
            "host": pg.get("host", "127.0.0.1"),
            "port": int(pg.get("port", 5432)),
            "login": pg.get("user", "postgres"),
            "password": pg.get("password"),
            "schema": pg["dbname"],
        },
    }


def _wait_healthy(base: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STEP_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"api-server exited {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{base}/api/v2/monitor/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        assert time.monotonic() < deadline, f"api-server not up after {STEP_TIMEOUT_S}s"
        time.sleep(0.5)


def _get(url: str, token: str | None = None) -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _login(base: str, home: Path) -> str:
    """A token for the admin user a fresh Airflow's SimpleAuthManager creates."""
    passwords = json.loads((home / "simple_auth_manager_passwords.json.generated").read_text())
    body = json.dumps({"username": "admin", "password": passwords["admin"]}).encode()
    request = urllib.request.Request(
        f"{base}/auth/token", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.loads(r.read())["access_token"]


def _outbox_by_status(dsn: str) -> dict[str, int]:
    import psycopg2

    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT status, count(*) FROM messaging.outbox WHERE account_id = %s"
                " GROUP BY status",
                (ACCOUNT,),
            )
            return dict(cur.fetchall())
    finally:
        conn.close()


def test_a_plain_install_and_the_readme_steps_give_a_green_run_and_the_dashboard(
    wheel: Path, make_database, emulator_url: str, tmp_path: Path
) -> None:
    started = time.monotonic()
    venv = tmp_path / "venv"
    _install_wheel(wheel, venv)

    # README step 1: the DAG files (from the checkout: they are not package code) in the DAGs
    # folder, $AIRFLOW_HOME/dags by default
    home = tmp_path / "airflow"
    (home / "dags").mkdir(parents=True)
    for dag_file in (ROOT / "dags").glob("*.py"):
        shutil.copy(dag_file, home / "dags")
    # README step 2: an accounts file
    accounts = tmp_path / "accounts.yaml"
    accounts.write_text(ACCOUNTS_YAML)
    env = _user_env(home, venv, accounts)

    _airflow(env, "db", "migrate")
    warehouse = make_database("bm_frontdoor")
    connections = tmp_path / "connections.json"
    connections.write_text(json.dumps(_connections(emulator_url, warehouse)))
    _airflow(env, "connections", "import", str(connections))
    # README step 4: the warehouse's migrations by hand, through the connection just created
    migrate = subprocess.run(
        [str(venv / "bin" / "buyer-messaging"), "migrate"],
        env=env, capture_output=True, text=True, timeout=STEP_TIMEOUT_S,
    )  # fmt: skip
    assert migrate.returncode == 0 and "\napplied: 0001_schemas" in migrate.stdout, (
        migrate.stdout + migrate.stderr
    )[-4000:]

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "api-server.log"
    # started before the run, so that its slow start overlaps the run's
    with log.open("w") as out:
        api_server = subprocess.Popen(
            [str(venv / "bin" / "airflow"), "api-server", "--host", "127.0.0.1",
             "--port", str(port), "--workers", "1"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        # README step 7: the local midnight after the day, with the account's UTC offset
        midnight = datetime.now(ZoneInfo(ACCOUNT_TZ)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        run = _airflow(env, "dags", "test", f"buyer_messaging_{ACCOUNT}", midnight.isoformat())
        output = run.stdout + run.stderr
        assert "DagRun Finished" in output and "state=success" in output, output[-4000:]
        assert f"summary: {ACCOUNT} {midnight.date() - timedelta(days=1)}:" in output

        by_status = _outbox_by_status(warehouse)
        assert by_status.get("sent", 0) > 0, by_status  # messages really went to the emulator
        assert not {"failed", "delivery_unknown", "planned", "sending"} & set(by_status), by_status

        _wait_healthy(base, api_server, log)
        assert _get(f"{base}/buyer-messaging/")[0] == 401  # nothing without a login
        token = _login(base, home)
        status, page = _get(f"{base}/buyer-messaging/", token)
        assert status == 200 and b"<title>Buyer messaging</title>" in page
        status, body = _get(f"{base}/buyer-messaging/summary?account={ACCOUNT}", token)
        assert status == 200, body
        summary = json.loads(body)
        assert summary["accounts"] == [ACCOUNT]
        shown = {s: n for s, n in summary["totals"]["by_status"].items() if n}
        assert shown == by_status
    finally:
        api_server.terminate()
        try:
            api_server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            api_server.kill()
            api_server.wait()
    print(f"front door walk: {time.monotonic() - started:.0f} s after the wheel was built")
