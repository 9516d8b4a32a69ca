"""The production wheel: what it carries, and that an install of it alone finds its files."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from uv_tool import uv_command

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]


def test_the_wheel_carries_include_and_the_plugin_entry_point_but_no_dev_tools(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        [metadata] = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = zf.read(metadata).decode()
        [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        entries = zf.read(entry_points).decode()
    shipped = {
        p.relative_to(ROOT / "include").as_posix()
        for p in (ROOT / "include").rglob("*")
        if p.is_file()
    }
    assert (
        shipped
        and {
            n.removeprefix("buyer_messaging/include/")
            for n in names
            if n.startswith("buyer_messaging/include/")
        }
        == shipped
    )
    assert "buyer_messaging/include/accounts.yaml" in names
    assert not [n for n in names if n.startswith("spapi_emulator/")]
    assert not [n for n in names if n.startswith(("tests/", "bench/", "dags/"))]
    assert (
        "buyer_messaging/ui/plugin.py" in names and "buyer_messaging/ui/static/index.html" in names
    )
    # core metadata (PEP 566): the demo's tools only behind the extra
    requires = [line for line in meta.splitlines() if line.startswith("Requires-Dist:")]
    for dev_only in ("pgserver", "aiosmtpd"):
        [line] = [r for r in requires if r.startswith(f"Requires-Dist: {dev_only}")]
        assert "extra == 'demo'" in line, line
    assert "Provides-Extra: demo" in meta
    assert (
        "[airflow.plugins]\nbuyer_messaging_ui = buyer_messaging.ui.plugin:BuyerMessagingUIPlugin"
        in entries
    )
    assert "[apache_airflow_provider]" in entries


def test_an_installed_wheel_finds_its_include_dir_from_package_data(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run(
        [*uv_command(), "pip", "install", "--python", str(venv / "bin" / "python"), "--no-deps", str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    [site] = (venv / "lib").glob("python3.*/site-packages")
    # the wheel's package first on the path, its dependencies from this environment (--no-deps)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUYER_MESSAGING_")}
    env["PYTHONPATH"] = str(site)
    probe = (
        "import buyer_messaging, buyer_messaging.config as c, buyer_messaging.render.paths as r;"
        "print(buyer_messaging.__file__); print(c.include_dir()); print(r.templates_dir());"
        "print(len(c.load_accounts())); print(c.data_docs_dir())"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    package, include, templates, accounts, docs = out
    assert Path(package).is_relative_to(site)
    assert Path(include) == (site / "buyer_messaging" / "include").resolve()
    assert (Path(templates) / "review_request").is_dir()
    assert int(accounts) >= 1
    assert not Path(docs).is_relative_to(site)  # never written into the installed package

    env["BUYER_MESSAGING_INCLUDE"] = str(tmp_path / "nowhere")
    failed = subprocess.run(
        [sys.executable, "-c", "import buyer_messaging.config as c; c.include_dir()"],
        env=env, cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert failed.returncode != 0
    assert f"BUYER_MESSAGING_INCLUDE={tmp_path / 'nowhere'}: no such directory" in failed.stderr

    # without the emulator (it is not in the wheel) the CLI says where it is
    hidden = (
        "import sys; sys.modules['spapi_emulator'] = None; from buyer_messaging.cli import main;"
    )
    cli = subprocess.run(
        [sys.executable, "-c", hidden + "sys.exit(main(['emulator']))"],
        env={**env, "BUYER_MESSAGING_INCLUDE": include}, cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert cli.returncode == 2 and "source checkout (`make demo`)" in cli.stderr
