"""The dashboard in a real Airflow API server, seen by headless Chromium.

Starts `airflow api-server` (after `airflow db migrate`) with this repository's plugins folder,
SimpleAuthManager (one viewer, alice) and the seeded warehouse as `messaging_warehouse`;
checks that an anonymous browser gets no data, then logs in as alice and checks the charts, tables and
order search show the seeded numbers, inside the Airflow UI too. Screenshots land in
tests/artifacts/ (gitignored).

Needs Debian's Chromium (`apt-get install -y chromium`) and the Playwright Python package
(no `playwright install`: the system browser is used).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import postgres_connection_json
from ui_seed import DAYS

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT_S = 180
USER, PASSWORD = "alice", "alice-password"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _airflow_env(home: Path, port: int, warehouse_dsn: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "BUYER_MESSAGING"))}
    dags = home / "dags"
    dags.mkdir(parents=True, exist_ok=True)
    passwords = home / "passwords.json"
    passwords.write_text(json.dumps({USER: PASSWORD}))
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(dags),
        AIRFLOW__CORE__PLUGINS_FOLDER=str(ROOT / "plugins"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__AUTH_MANAGER=(
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
        ),
        # not ALL_ADMINS: that mode makes every request an admin, so nothing is ever anonymous
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=f"{USER}:viewer",
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=str(passwords),
        AIRFLOW__API__BASE_URL=f"http://127.0.0.1:{port}",
        AIRFLOW__API_AUTH__JWT_SECRET="browser-test-" + "s" * 64,
        AIRFLOW_CONN_MESSAGING_WAREHOUSE=postgres_connection_json(warehouse_dsn),
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    return env


@pytest.fixture(scope="module")
def api_server(ui_warehouse: str) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"{CHROMIUM} is absent: install Debian's chromium (apt-get install -y chromium)"
        )
    pytest.importorskip(
        "playwright.sync_api", reason="the playwright Python package is not installed"
    )
    airflow = str(ROOT / ".venv" / "bin" / "airflow")
    if not Path(airflow).exists():
        airflow = shutil.which("airflow") or pytest.skip("no airflow command")
    home = Path(tempfile.mkdtemp(prefix="bm-ui-airflow-"))
    port = _free_port()
    env = _airflow_env(home, port, ui_warehouse)
    subprocess.run(
        [airflow, "db", "migrate"],
        env=env,
        check=True,
        capture_output=True,
        timeout=START_TIMEOUT_S,
    )
    log = (home / "api-server.log").open("w")
    proc = subprocess.Popen(
        [airflow, "api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise AssertionError(
                    f"api-server exited {proc.returncode}:\n{(home / 'api-server.log').read_text()[-4000:]}"
                )
            try:
                with urllib.request.urlopen(f"{base}/api/v2/monitor/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"api-server not up after {START_TIMEOUT_S}s")
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(api_server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _logged_in_context(browser, base: str) -> object:
    """A browser context holding Airflow's session cookie for alice, as the login page sets it."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    r = context.request.post(f"{base}/auth/token", data={"username": USER, "password": PASSWORD})
    assert r.status == 201, r.text()
    context.add_cookies([{"name": "_token", "value": r.json()["access_token"], "url": base}])
    return context


def test_plugin_endpoints_refuse_an_anonymous_browser(api_server, browser):
    page = browser.new_page()
    response = page.goto(f"{api_server}/buyer-messaging/")
    assert response.status == 401
    assert "Log in to Airflow" in page.content()
    for path in ("summary", "order/111-0000001-0000001", "static/app.js"):
        r = page.request.get(f"{api_server}/buyer-messaging/{path}?account=acme_us")
        assert r.status == 401, (path, r.text())
    page.close()


def test_dashboard_shows_the_seeded_numbers(api_server, browser):
    from playwright.sync_api import expect

    context = _logged_in_context(browser, api_server)
    page = context.new_page()
    query = f"account=acme_us&from={DAYS['from']}&to={DAYS['to']}&order=111-0000006-0000006"
    page.goto(f"{api_server}/buyer-messaging/?{query}")
    expect(page.locator("body[data-state=ready]")).to_have_count(1, timeout=30_000)

    # totals
    kpi = {
        s: page.get_by_test_id(f"kpi-{s}").locator(".n") for s in ("messages", "sent", "blocked")
    }
    expect(kpi["messages"]).to_have_text("8")
    expect(kpi["sent"]).to_have_text("2")
    expect(kpi["blocked"]).to_have_text("2")
    expect(page.get_by_test_id("kpi-quality").locator(".n")).to_have_text("75.0%")

    # the chart by kind: one SVG segment per (kind, status) with its count
    chart = page.get_by_test_id("chart-kind")
    segments = {
        (g.get_attribute("data-kind"), g.get_attribute("data-status")): int(
            g.get_attribute("data-count")
        )
        for g in chart.locator("g.segment").all()
    }
    assert segments == {
        ("review_request", "sent"): 2,
        ("review_request", "blocked"): 1,
        ("review_request", "expired"): 1,
        ("review_request", "planned"): 1,
        ("shipment_confirmation", "blocked"): 1,
        ("shipment_confirmation", "skipped"): 1,
        ("unavailability_notice", "failed"): 1,
    }
    assert chart.locator("g.segment rect").first.bounding_box()["width"] > 10
    expect(chart.locator("[data-total=review_request]")).to_have_text("5")
    day_chart = page.get_by_test_id("chart-day")
    assert day_chart.locator("g.segment").count() == 7  # (day, status) pairs with messages

    # top lint violations, quality, throttling
    rows = page.get_by_test_id("violations").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("no_external_links")
    expect(rows.nth(0).locator("td.num")).to_have_text("2")
    expect(page.get_by_test_id("quality-rate")).to_have_text("75.0%")
    expect(page.get_by_test_id("throttling-rate")).to_have_text("4 of 55 calls (7.3%)")

    # the order from the URL: its message, violations and explanation
    order = page.get_by_test_id("order-result")
    expect(order.get_by_test_id("order-messages").locator("tbody tr")).to_have_count(1)
    expect(order.get_by_test_id("order-messages")).to_contain_text("blocked")
    expect(order).to_contain_text("no_phone_numbers")
    expect(order.get_by_test_id("explanation")).to_contain_text("not in staging")

    # a search from the form
    page.fill("#order-id", "111-0000001-0000001")
    page.click("#order-form button")
    messages = order.get_by_test_id("order-messages").locator("tbody tr")
    expect(messages).to_have_count(2)
    expect(messages.nth(0)).to_contain_text("review_request")
    expect(messages.nth(0)).to_contain_text("sent")
    expect(messages.nth(1)).to_contain_text("skipped")
    expect(order).to_contain_text("attempt 1: sent (HTTP 201)")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-dashboard.png"), full_page=True)
    context.close()


def test_the_airflow_ui_shows_the_page_in_its_navigation(api_server, browser):
    from playwright.sync_api import expect

    context = _logged_in_context(browser, api_server)
    page = context.new_page()
    page.goto(f"{api_server}/plugin/buyer-messaging")
    expect(page.get_by_role("link", name="Buyer messaging").first).to_be_visible(timeout=60_000)
    frame = page.frame_locator("iframe")
    expect(frame.locator("h1")).to_have_text("Buyer messaging", timeout=60_000)
    expect(frame.locator("body[data-state=ready]")).to_have_count(1, timeout=30_000)
    frame.locator("#account").select_option("acme_us")
    frame.locator("#from").fill(DAYS["from"])
    frame.locator("#to").fill(DAYS["to"])
    frame.locator("#filters button").click()
    expect(frame.get_by_test_id("kpi-messages").locator(".n")).to_have_text("8")
    expect(frame.get_by_test_id("chart-kind").locator("g.segment")).to_have_count(7)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-in-airflow.png"))
    context.close()


def test_coverage_outcomes_and_cases_panels(api_server, browser):
    """The panels of issue #19 item 3: their tables, and the server's SVG plots loaded as images."""
    from playwright.sync_api import expect

    context = _logged_in_context(browser, api_server)
    page = context.new_page()
    query = f"account=acme_us&from={DAYS['from']}&to={DAYS['to']}"
    page.goto(f"{api_server}/buyer-messaging/?{query}")
    expect(page.locator("body[data-coverage=ready]")).to_have_count(1, timeout=30_000)
    expect(page.get_by_test_id("coverage-detail")).to_have_text(
        "8 candidates: 7 eligible, 1 excluded, 2 sent (28.6% of eligible);"
        " 0 orders held back by data validation"
    )
    rows = page.get_by_test_id("coverage").locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("review_request")
    expect(page.get_by_test_id("outcomes").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("cases-total")).to_have_text("0 open")
    for name in ("coverage-by-kind", "coverage-by-day", "outcomes-by-kind", "case-ages"):
        image = page.get_by_test_id(f"plot-{name}")
        expect(image).to_have_attribute("src", f"plots/{name}.svg?{query}")
        page.wait_for_function(
            "(el) => el.complete && el.naturalWidth > 0", arg=image.element_handle()
        )
    # a kind filter narrows the panels
    page.select_option("#kind", "unavailability_notice")
    page.click("#filters button")
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("unavailability_notice")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-coverage.png"), full_page=True)
    context.close()
