"""domain.py: kinds, statuses and marketplaces declared once; a half-declared kind fails at import."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import typing
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from buyer_messaging import domain
from buyer_messaging.domain import DomainError, MessageKind, check_declarations, check_files
from buyer_messaging.locations import include_dir

ROOT = Path(__file__).resolve().parents[3]
SQL_DIR = ROOT / "plugins" / "buyer_messaging" / "plan" / "sql"


def test_every_list_of_kinds_is_the_domains() -> None:
    from buyer_messaging import config
    from buyer_messaging.compose import stage as render_and_lint
    from buyer_messaging.lint import models
    from buyer_messaging.plan import planner
    from buyer_messaging.render import engine

    names = domain.KIND_NAMES
    assert config.ALL_KINDS == names
    assert typing.get_args(config.Kind) == names
    assert models.KINDS == names and engine.KINDS == names and planner.PLANNED_KINDS == names
    assert set(render_and_lint.WRITTEN_BY_US) | set(render_and_lint.AMAZON_WRITTEN) == set(names)
    assert not set(render_and_lint.WRITTEN_BY_US) & set(render_and_lint.AMAZON_WRITTEN)
    assert render_and_lint.AMAZON_WRITTEN == ["review_request"]


def test_every_list_of_marketplaces_locales_and_languages_is_the_domains() -> None:
    from buyer_messaging import config, policies
    from buyer_messaging.extract import returns_format
    from buyer_messaging.lint import models, phones, text
    from buyer_messaging.render import engine

    codes = domain.MARKETPLACE_CODES
    assert codes == ("US", "GB", "FR", "DE", "ES", "IT")
    assert typing.get_args(config.Account.model_fields["marketplace"].annotation) == codes
    by_marketplace = policies.KindTiming.model_fields["by_marketplace"].annotation
    assert typing.get_args(typing.get_args(by_marketplace)[0]) == codes
    asin_text = policies.AsinInfo.model_fields["text"].annotation
    assert typing.get_args(typing.get_args(asin_text)[0]) == domain.LANGUAGES
    assert domain.LOCALES == ("en-US", "en-GB", "fr-FR", "de-DE", "es-ES", "it-IT")
    assert domain.LANGUAGES == ("en", "fr", "de", "es", "it")
    assert models.LOCALES == engine.LOCALES == domain.LOCALES
    assert models.LANGUAGES == text.LANGS == domain.LANGUAGES
    assert phones.REGIONS == domain.COUNTRIES
    assert returns_format.MONTH_LOCALES == ("en_US", "en_GB", "fr_FR", "de_DE", "es_ES", "it_IT")
    assert engine.locale_for_marketplace("uk") == "en-GB"
    assert engine.MARKETPLACE_CURRENCIES == {
        "US": "USD", "GB": "GBP", "FR": "EUR", "DE": "EUR", "ES": "EUR", "IT": "EUR", "UK": "GBP",
    }  # fmt: skip


def test_the_marketplace_table_is_amazons() -> None:
    """Marketplace ids from Amazon's list: developer-docs.amazon.com/sp-api/docs/marketplace-ids."""
    ids = {m.code: m.marketplace_id for m in domain.MARKETPLACE_LIST}
    assert ids == {
        "US": "ATVPDKIKX0DER", "GB": "A1F83G8C2ARO7P", "FR": "A13V1IB3VIYZZH",
        "DE": "A1PA6795UKMFR9", "ES": "A1RKKUPIHCS9HS", "IT": "APJ6JRA9NG5V4",
    }  # fmt: skip
    assert domain.marketplace("uk") is domain.MARKETPLACES["GB"]
    with pytest.raises(ValueError, match="unknown marketplace 'NL'; expected one of US, GB"):
        domain.marketplace("NL")


def test_each_kinds_declared_events_are_its_sqls() -> None:
    """The events a kind's candidates SELECT gives are the declared ones. Read from the SQL
    text: a literal `'x' AS event`, or one right after `SELECT o.*,` (the UNION ALL arms of
    unavailability_notice.sql); an event computed any other way is not seen here."""
    for kind in domain.KIND_LIST:
        sql = (SQL_DIR / kind.sql_file).read_text()
        named = set(re.findall(r"'([a-z_]+)'\s+AS event\b", sql))
        named |= set(re.findall(r"SELECT\s+[a-z]+\.\*,\s*'([a-z_]+)'", sql))
        assert named, kind.name
        assert named <= set(kind.events), (kind.name, named)
        for event in kind.events:
            assert f"'{event}'" in sql, (kind.name, event)


def test_the_default_policy_pack_agrees_with_the_declared_channels() -> None:
    from buyer_messaging.policies import load_pack, load_timing

    pack = load_pack(load_timing().default_pack)
    for kind in domain.KIND_LIST:
        assert pack.kinds[kind.name].channel == kind.channel, kind.name
        assert pack.kinds[kind.name].critical == kind.critical, kind.name


def test_statuses_groups_are_outbox_statuses() -> None:
    groups = (
        domain.PENDING_STATUSES, domain.SENDABLE_STATUSES, domain.TAKING_STATUSES,
        domain.DELIVERY_STATUSES, domain.REPORTED_STATUSES,
    )  # fmt: skip
    for group in groups:
        assert set(group) <= set(domain.OUTBOX_STATUSES), group
    assert set(domain.SENDABLE_STATUSES) < set(domain.PENDING_STATUSES)


def test_every_status_list_in_the_packages_sql_is_a_declared_group() -> None:
    """`status IN (...)` / `status NOT IN (...)` in the package's SQL (Python strings and plan/sql,
    not the migrations, which are history) name a group of domain.py, or its complement."""
    groups = {
        frozenset(g)
        for g in (
            domain.PENDING_STATUSES,
            domain.SENDABLE_STATUSES,
            domain.TAKING_STATUSES,
            domain.NOT_SENT_STATUSES,
        )
    }
    found = 0
    package = ROOT / "plugins" / "buyer_messaging"
    for path in [*package.rglob("*.py"), *package.glob("plan/sql/*.sql")]:
        text = path.read_text()
        for negated, listed in re.findall(r"\bstatus (NOT )?IN \(((?:'[a-z_]+',?\s*)+)\)", text):
            statuses = frozenset(re.findall(r"'([a-z_]+)'", listed))
            if negated:
                statuses = frozenset(domain.OUTBOX_STATUSES) - statuses
            assert statuses in groups, (path.name, listed)
            found += 1
    assert found >= 6  # outbox.py (3), cases.py, review_request.sql, product_info.sql


def test_the_planner_refuses_an_unknown_kind_before_touching_the_database() -> None:
    from buyer_messaging.plan.planner import plan_day

    day = (datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 11, 21, tzinfo=UTC))
    with pytest.raises(DomainError, match="unknown message kind 'thank_you'"):
        plan_day(None, account_id="x", kinds=("review_request", "thank_you"), run_day=date(2026, 11, 20), day=day)  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "problem"),
    [
        (MessageKind("Bad-Name", "email_relay", False, ("default",), True), "lower_snake_case"),
        (MessageKind("fax", "fax", False, ("default",), True), "channel 'fax'"),
        (MessageKind("nudge", "email_relay", False, (), True), "events"),
        (MessageKind("nudge", "email_relay", False, ("default",), False), "only Solicitations"),
        (domain.KINDS["product_info"], "declared twice"),
    ],
)
def test_a_wrong_declaration_is_refused_naming_the_kind(kind: MessageKind, problem: str) -> None:
    with pytest.raises(DomainError, match=re.escape(problem)) as err:
        check_declarations((*domain.KIND_LIST, kind))
    assert repr(kind.name) in str(err.value)


def test_a_wrong_marketplace_is_refused_naming_it() -> None:
    nl = replace(domain.MARKETPLACES["DE"], code="NL", locale="nl_NL", timezone="Europe/Nowhere")
    with pytest.raises(DomainError) as err:
        check_declarations(marketplaces=(*domain.MARKETPLACE_LIST, nl))
    assert "marketplace NL: locale 'nl_NL'" in str(err.value)
    assert "marketplace NL: unknown time zone 'Europe/Nowhere'" in str(err.value)
    assert "'A1PA6795UKMFR9': marketplace_id declared twice" in str(err.value)


def _copy_include(tmp_path: Path) -> Path:
    include = tmp_path / "include"
    shutil.copytree(include_dir(), include)
    return include


def test_the_shipped_files_are_complete() -> None:
    check_files(include_dir(), SQL_DIR)


def test_a_half_declared_kind_is_refused_naming_what_is_missing(tmp_path: Path) -> None:
    include = _copy_include(tmp_path)
    nudge = MessageKind("nudge", "email_relay", False, ("default",), True)
    with pytest.raises(DomainError) as err:
        check_files(include, SQL_DIR, (*domain.KIND_LIST, nudge))
    message = str(err.value)
    assert message.startswith("kind 'nudge' is missing planner SQL")
    assert "nudge.sql" in message and "en-US.j2, en-GB.j2, fr-FR.j2" in message
    assert "an entry under kinds: in" in message and "timing.yaml" in message
    assert "product_info" not in message  # the complete kinds are not named

    (include / "templates" / "product_info" / "it-IT.j2").unlink()
    with pytest.raises(DomainError, match=r"kind 'product_info' is missing templates it-IT\.j2 in"):
        check_files(include, SQL_DIR)


def test_a_timing_file_that_is_not_yaml_is_named(tmp_path: Path) -> None:
    include = _copy_include(tmp_path)
    (include / "policies" / "timing.yaml").write_text("kinds: [unclosed\n")
    with pytest.raises(DomainError, match=r"timing\.yaml: not valid YAML"):
        check_files(include, SQL_DIR)


def test_a_missing_template_fails_the_import(tmp_path: Path) -> None:
    """What Airflow sees parsing a DAG file: the import itself fails, naming kind and file."""
    include = _copy_include(tmp_path)
    (include / "templates" / "return_confirmation" / "de-DE.j2").unlink()
    env = {**os.environ, "BUYER_MESSAGING_INCLUDE": str(include)}
    failed = subprocess.run(
        [sys.executable, "-c", "import buyer_messaging.config"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert failed.returncode != 0
    assert (
        "DomainError: kind 'return_confirmation' is missing templates de-DE.j2 in" in failed.stderr
    )
