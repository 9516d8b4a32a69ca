"""Where data docs go by default: README.md's setup step 1 says `$AIRFLOW_HOME/buyer_messaging/
data_docs` for a deployment, also one that points BUYER_MESSAGING_INCLUDE at its own copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from buyer_messaging.config import data_docs_dir, project_root


def test_a_deployments_copy_of_include_keeps_data_docs_under_airflow_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "etc" / "include"
    shutil.copytree(project_root() / "include", copy)
    monkeypatch.setenv("BUYER_MESSAGING_INCLUDE", str(copy))
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    monkeypatch.delenv("BUYER_MESSAGING_DATA_DOCS", raising=False)

    assert data_docs_dir() == tmp_path / "airflow" / "buyer_messaging" / "data_docs"


def test_a_checkout_running_its_own_include_writes_under_var(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BUYER_MESSAGING_INCLUDE", raising=False)
    monkeypatch.delenv("BUYER_MESSAGING_DATA_DOCS", raising=False)

    assert data_docs_dir() == project_root() / "var" / "data_docs"


def test_the_variable_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUYER_MESSAGING_DATA_DOCS", str(tmp_path / "docs"))

    assert data_docs_dir() == tmp_path / "docs"
