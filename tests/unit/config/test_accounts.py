from pathlib import Path

import pytest

from buyer_messaging.config import ConfigError, load_accounts


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "accounts.yaml"
    path.write_text(text)
    return path


def test_shipped_accounts_file_loads_with_one_dag_per_account():
    accounts = load_accounts()
    assert [a.dag_id for a in accounts] == ["buyer_messaging_demo", "buyer_messaging_acme_us"]
    assert accounts[0].spapi_conn_id == "spapi_demo"
    assert accounts[0].tz == "America/Los_Angeles"


def test_error_names_file_account_and_key(tmp_path):
    path = write(
        tmp_path,
        "accounts:\n  - id: good\n    marketplace: US\n  - id: acme_fr\n    marketplace: FX\n",
    )
    with pytest.raises(ConfigError) as err:
        load_accounts(path)
    message = str(err.value)
    assert str(path) in message
    assert "accounts[1] (id=acme_fr).marketplace" in message


def test_unknown_kind_and_timezone_are_rejected(tmp_path):
    path = write(
        tmp_path,
        "accounts:\n  - id: a\n    marketplace: DE\n    kinds: [review_request, spam]\n"
        "    timezone: Mars/Olympus\n",
    )
    with pytest.raises(ConfigError) as err:
        load_accounts(path)
    assert "accounts[0] (id=a).kinds[1]" in str(err.value)
    assert "Mars/Olympus" in str(err.value)


def test_duplicate_ids_rejected(tmp_path):
    path = write(
        tmp_path, "accounts:\n  - {id: a, marketplace: US}\n  - {id: a, marketplace: GB}\n"
    )
    with pytest.raises(ConfigError, match="duplicate id a"):
        load_accounts(path)


def test_env_var_overrides_path(tmp_path, monkeypatch):
    path = write(tmp_path, "accounts:\n  - {id: solo, marketplace: IT}\n")
    monkeypatch.setenv("BUYER_MESSAGING_ACCOUNTS", str(path))
    [acc] = load_accounts()
    assert acc.id == "solo" and acc.tz == "Europe/Rome"


def test_read_accounts_keeps_the_valid_accounts_and_names_each_invalid_one(tmp_path):
    from buyer_messaging.config import read_accounts

    path = write(
        tmp_path,
        "accounts:\n  - {id: good, marketplace: US}\n  - {id: typo, marketplce: GB}\n"
        "  - just a string\n  - {id: twice, marketplace: DE}\n  - {id: twice, marketplace: FR}\n",
    )
    read = read_accounts(path)
    assert [a.id for a in read.accounts] == ["good"]
    problems = "\n".join(read.problems)
    assert f"{path}: accounts[1] (id=typo).marketplce: Extra inputs are not permitted" in problems
    assert "accounts[1] (id=typo).marketplace: Field required" in problems
    assert f"{path}: accounts[2]:" in problems
    assert "duplicate id twice" in problems
    with pytest.raises(ConfigError):
        read.raise_problems()
