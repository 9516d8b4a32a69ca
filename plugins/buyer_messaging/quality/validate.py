"""validate: run the expectation suites where the data is (GX over SQLAlchemy on Postgres).

Bad rows are quarantined with the expectation that failed; the task fails only when the bad
share passes the account's threshold, naming the expectations and counts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.pool import StaticPool

from buyer_messaging.quality import store as quality_sql
from buyer_messaging.quality.suites import KEY, SUITES, suites_for, unexpected_keys
from buyer_messaging.warehouse.connection import one_row, transaction

if TYPE_CHECKING:
    from great_expectations import ValidationDefinition
    from great_expectations.data_context import AbstractDataContext
    from great_expectations.datasource.fluent import SQLDatasource
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )
    from psycopg2.extensions import connection as PgConnection

log = logging.getLogger(__name__)


class _NoPublicApiRegistryNoise(logging.Filter):
    """Drops GX's "Skipping registering function ... closure" lines: importing GX logs one per
    decorated closure at INFO, ~200 of a validate task's ~230 log lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Skipping registering function")


# before any GX import (they are all inside the functions below); the logger's other
# messages still pass
logging.getLogger("great_expectations._docs_decorators").addFilter(_NoPublicApiRegistryNoise())


class QualityGateFailed(RuntimeError):
    outcome: ValidationOutcome  # set where it is raised, for the caller to report


# bad_rows and bad_returns list at most this many orders (the counts are exact; staging has all)
MAX_LISTED = 10_000


@dataclass
class ValidationOutcome:
    suite: str
    rows_checked: int = 0
    bad_rows: dict[str, str] = field(default_factory=dict)  # order id -> failed expectations
    returns_checked: int = 0  # orders with returns requested in the window
    bad_returns: dict[str, str] = field(default_factory=dict)  # order id -> failed expectations
    bad_order_count: int = 0  # quarantined orders (bad_rows lists up to MAX_LISTED of them)
    bad_return_count: int = 0  # orders whose returns are quarantined
    failures: list[tuple[str, str, int]] = field(default_factory=list)
    docs_path: str | None = None
    alerts: list[str] = field(default_factory=list)

    @property
    def bad_share(self) -> float:
        checked = self.rows_checked + self.returns_checked
        return (self.bad_order_count + self.bad_return_count) / checked if checked else 0.0

    def summary(self) -> str:
        failed = "; ".join(f"{exp}({col}): {n} rows" for exp, col, n in self.failures) or "none"
        alerts = f"; alerts: {'; '.join(self.alerts)}" if self.alerts else ""
        return (
            f"{self.suite}: {self.rows_checked} orders checked, {self.bad_order_count} quarantined;"
            f" returns of {self.returns_checked} orders checked, {self.bad_return_count} quarantined"
            f" ({self.bad_share:.1%} bad); failed expectations: {failed}{alerts}"
        )


class _LentConnectionPool(StaticPool):
    """SQLAlchemy's one-connection pool over a connection lent by the task: GX disposes its
    engine when its datasource is replaced (the next validation in the same process), and a
    disposed StaticPool closes its connection, which is the task's to close."""

    def dispose(self) -> None:
        pass

    def recreate(self) -> _LentConnectionPool:
        return self  # what a disposed engine would rebuild is this very pool: nothing to log


def _literal(value: Any) -> str:
    from psycopg2.extensions import adapt

    return adapt(value).getquoted().decode()


def _definition(
    context: AbstractDataContext,
    source: SQLDatasource,
    suite_name: str,
    query: str,
    run_day: date,
    entries: list[Any],
) -> ValidationDefinition:
    import great_expectations as gx
    import great_expectations.expectations as gxe

    asset = source.add_query_asset(name=suite_name, query=query)
    batch = asset.add_batch_definition_whole_table("window")
    suite = context.suites.add(gx.ExpectationSuite(name=suite_name))
    for class_name, kwargs in entries:
        suite.add_expectation(getattr(gxe, class_name)(**kwargs))
    return context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{suite_name}_{run_day}", data=batch, suite=suite)
    )


# GX lists at most `partial_unexpected_count` unexpected rows' keys (a LIMIT in its SQL): those
# are the samples in quality.results and Data Docs. Every bad row is quarantined by the
# expectation's SQL (suites.unexpected_keys) inside Postgres, its count checked against GX's,
# so no list of a day's bad rows comes into this process and results and Data Docs stay small.
SAMPLES = 20


def _run_checkpoint(
    context: AbstractDataContext,
    definitions: list[ValidationDefinition],
    name: str,
    site: Path | None,
) -> dict[str, Any]:
    """Every suite in one Checkpoint; with `site`, GX's Data Docs (HTML) are written there."""
    import great_expectations as gx

    actions: list[gx.checkpoint.ValidationAction] = []
    if site is not None:
        context.add_data_docs_site(
            site_name="run",
            site_config={
                "class_name": "SiteBuilder",
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(site),
                },
            },
        )
        actions.append(gx.checkpoint.UpdateDataDocsAction(name="data_docs", site_names=["run"]))
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name=name,
            validation_definitions=definitions,
            actions=actions,
            result_format={
                "result_format": "SUMMARY",
                "unexpected_index_column_names": [KEY],
                "partial_unexpected_count": SAMPLES,
            },
        )
    )
    result = checkpoint.run()
    return {res.suite_name: res for res in result.run_results.values()}


def config_class(config: ExpectationConfiguration) -> str:
    """The class name in SUITES of a result's expectation (GX reports its snake_case type)."""
    import re

    names = {cls for suite in SUITES.values() for cls, _ in suite}
    return {re.sub(r"(?<!^)(?=[A-Z])", "_", n).lower(): n for n in names}[config.type]


def _column_of(kwargs: dict[str, Any]) -> str:
    if kwargs.get("column"):
        return str(kwargs["column"])
    if kwargs.get("column_list"):
        return ",".join(kwargs["column_list"])
    return ",".join(str(kwargs[k]) for k in ("column_A", "column_B") if kwargs.get(k))


def validate_orders(
    conn: PgConnection,
    *,
    account_id: str,
    window: tuple[datetime, datetime],
    run_day: date,
    max_bad_share: float = 0.05,
    docs_dir: Path | None = None,
    day: tuple[datetime, datetime] | None = None,
) -> ValidationOutcome:
    """Validate orders and their items updated in `window`, and the returns requested in it;
    bad orders are quarantined, and the returns of an order with a bad return line."""
    import great_expectations as gx

    outcome = ValidationOutcome("orders")
    bounds = {
        "account": _literal(account_id),
        "start": _literal(window[0]),
        "end": _literal(window[1]),
    }
    with transaction(conn) as cur:
        cur.execute(f"SELECT count(*) FROM ({quality_sql.ORDERS_IN_WINDOW.format(**bounds)}) q")
        outcome.rows_checked = int(one_row(cur)[0])
        cur.execute(
            f"SELECT count(DISTINCT amazon_order_id) FROM ({quality_sql.RETURNS_IN_WINDOW.format(**bounds)}) q"
        )
        outcome.returns_checked = int(one_row(cur)[0])
        counts = None
        if day is not None:
            cur.execute(
                quality_sql.DAY_COUNTS,
                {"account_id": account_id, "day_start": day[0], "day_end": day[1]},
            )
            counts = cur.fetchone()

    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # tqdm bars are noise in a task log that a person reads
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    # GX reads through the task's own connection, committed and idle meanwhile: a second one
    # per validate task would double what an Airflow with many accounts asks of Postgres
    # (issue #21 item 4). The pool's reset on return rolls back only GX's own reads.
    # add_sql, not add_postgres: the URL names just the dialect. (GX's typed signature omits
    # `kwargs`, the datasource's documented field passed to SQLAlchemy's create_engine.)
    source = context.data_sources.add_sql(  # type: ignore[call-arg]
        "warehouse",
        connection_string="postgresql+psycopg2://",
        kwargs={"creator": lambda: conn, "poolclass": _LentConnectionPool},
    )
    suites = suites_for(window[1])
    definitions = [
        _definition(
            context, source, suite_name, query.format(**bounds), run_day, suites[suite_name]
        )
        for suite_name, query in quality_sql.QUERIES.items()
    ]
    site = docs_dir / account_id / run_day.isoformat() if docs_dir is not None else None
    results = _run_checkpoint(context, definitions, f"{account_id}_{run_day}", site)
    rows: list[tuple[str, str, bool, int, list[str]]] = []
    described = {}
    # (suite, reason, SQL of the bad rows' keys, GX's count) per failed expectation
    to_quarantine: list[tuple[str, str, Any, int]] = []
    for suite_name in quality_sql.QUERIES:
        result = results[suite_name]
        described[suite_name] = result.describe_dict()
        for res in result.results:
            config = res.expectation_config
            column = _column_of(config.kwargs)
            info = res.result or {}
            ids = [_key_of(x) for x in info.get("partial_unexpected_index_list") or []]
            count = int(info.get("unexpected_count") or len(ids) or 0)
            name = f"{suite_name}.{config.type}"
            # a sample is an id as staged: a 200,000-character one is cut to a readable length
            rows.append(
                (name, column, bool(res.success), count, [i[:100] for i in ids[:SAMPLES] if i])
            )
            if not res.success:
                error = _raised(res.exception_info)
                # an expectation that could not run is a broken suite, not bad data
                if error is not None:
                    raise RuntimeError(f"{name}({column}) did not run: {error}")
                outcome.failures.append((name, column, count))
                batch_sql = quality_sql.QUERIES[suite_name].format(**bounds)
                keys = unexpected_keys(batch_sql, config_class(config), config.kwargs)
                to_quarantine.append((suite_name, f"{name}({column})", keys, count))
    if counts is not None:
        today, yesterday = counts
        dropped = yesterday > 0 and today == 0
        rows.append(
            ("orders.row_count_vs_day_before", f"{today} vs {yesterday}", not dropped, 0, [])
        )
        if dropped:
            log.warning(
                "ALERT %s %s: no orders updated this day, %d the day before: check extraction",
                account_id,
                run_day,
                yesterday,
            )
            outcome.alerts.append(f"row count dropped to 0 (day before: {yesterday})")
    if docs_dir is not None:
        if site is not None:
            _share_static(site, docs_dir)
        _write_docs(described, docs_dir, account_id, run_day)
        index = docs_dir / account_id / run_day.isoformat() / "index.html"
        outcome.docs_path = str(index) if index.exists() else None
        if outcome.docs_path:  # in the task log, also when the gate then fails the task
            log.info("GX Data Docs of %s %s: %s", account_id, run_day, outcome.docs_path)
    with transaction(conn) as cur:
        quality_sql.clear_quarantine(cur, account_id, window)
        for suite_name, reason, keys, gx_count in to_quarantine:
            if suite_name in quality_sql.ORDER_SUITES:
                found, _ = quality_sql.quarantine_matching(cur, account_id, reason, keys)
            else:
                found, _ = quality_sql.quarantine_returns_matching(
                    cur, account_id, reason, keys, window
                )
            if found != gx_count:  # the data moved since GX ran, or the SQL and GX disagree
                log.warning(
                    "%s: GX counted %d unexpected rows, its SQL finds %d", reason, gx_count, found
                )
                outcome.alerts.append(
                    f"{reason}: GX counted {gx_count} unexpected rows, quarantine found {found}"
                )
        bad_orders, bad_returns = quality_sql.quarantined_counts(cur, account_id, window)
        outcome.bad_order_count, outcome.bad_return_count = bad_orders, bad_returns
        outcome.bad_rows = quality_sql.quarantined_orders(cur, account_id, window, limit=MAX_LISTED)
        outcome.bad_returns = quality_sql.quarantined_returns(
            cur, account_id, window, limit=MAX_LISTED
        )
        quality_sql.record_run(
            cur,
            account_id,
            run_day,
            "orders+order_items+returns",
            rows_checked=outcome.rows_checked + outcome.returns_checked,
            rows_bad=outcome.bad_order_count + outcome.bad_return_count,
            success=outcome.bad_share <= max_bad_share,
            docs_path=outcome.docs_path,
            results=rows,
        )
    if outcome.bad_share > max_bad_share:
        docs = f"; Data Docs: {outcome.docs_path}" if outcome.docs_path else ""
        err = QualityGateFailed(
            f"{account_id} {run_day}: {outcome.bad_share:.1%} of orders and returns are bad"
            f" (threshold {max_bad_share:.1%}): {outcome.summary()}{docs}"
        )
        err.outcome = outcome
        raise err
    return outcome


def _raised(info: object) -> str | None:
    """The error of an expectation that raised (GX nests exception_info per metric, or not)."""
    if not isinstance(info, dict):
        return None
    entries = (
        [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, dict)]
    )
    for entry in entries:
        if entry.get("raised_exception"):
            return str(entry.get("exception_message") or "an exception")
    return None


def _key_of(entry: object) -> str | None:
    if isinstance(entry, dict):
        value = entry.get(KEY)
        return str(value) if value is not None else None
    return None


def _share_static(site: Path, docs_dir: Path) -> None:
    """GX copies its fonts, images and styles (4 MB) into every site: one copy per GX version
    serves every account and day (a relative symlink), so a year of days costs pages, not fonts."""
    import os
    import shutil

    import great_expectations as gx

    static = site / "static"
    if not static.is_dir() or static.is_symlink():
        return
    shared = docs_dir / f"static-gx-{gx.__version__}"
    if not shared.exists():
        try:
            static.rename(shared)  # atomic: a task running beside this one keeps its own copy
        except OSError:
            pass
    if shared.is_dir():
        shutil.rmtree(static, ignore_errors=True)
        static.symlink_to(os.path.relpath(shared, site), target_is_directory=True)


def _write_docs(described: dict[str, Any], docs_dir: Path, account_id: str, run_day: date) -> str:
    """The run's results as one JSON file beside the Data Docs site (for machines and diffs)."""
    import json

    path = docs_dir / account_id / f"{run_day.isoformat()}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(described, indent=2, default=str))
    return str(path)
