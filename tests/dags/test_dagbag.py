"""The DAG folder parses without errors, cheaply, into one DAG per account."""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_dagbag_has_one_dag_per_account_and_no_import_errors(capsys):
    from airflow.dag_processing.dagbag import DagBag

    started = time.perf_counter()
    bag = DagBag(dag_folder=str(ROOT / "dags"))
    elapsed = time.perf_counter() - started
    assert bag.import_errors == {}
    assert set(bag.dag_ids) == {
        "buyer_messaging_demo", "buyer_messaging_acme_us", "buyer_messaging_weekly_digest",
        "buyer_messaging_maintenance",
    }  # fmt: skip
    maintenance = bag.dags["buyer_messaging_maintenance"]
    assert {t.task_id for t in maintenance.tasks} == {"purge_buyer_pii", "prune_old_data_docs"}
    dag = bag.dags["buyer_messaging_demo"]
    assert {t.task_id for t in dag.tasks} >= {
        "migrate_warehouse", "extract_orders", "extract_returns", "extract_feedback", "validate", "plan",
        "render_and_lint", "send_batches", "send", "report",
    }  # fmt: skip
    # DESIGN.md's shape: the extracts feed validate, which gates planning
    assert dag.get_task("validate").upstream_task_ids == {
        "extract_orders", "extract_returns", "extract_feedback",
    }  # fmt: skip
    # negative signals open their cases before planning, so the plan already skips them
    assert dag.get_task("signals").upstream_task_ids == {"validate"}
    assert dag.get_task("plan").upstream_task_ids == {"signals"}
    assert dag.doc_md and "backfill" in dag.doc_md
    assert "buyer-messaging" in dag.tags
    assert dag.owner == "demo"
    assert dag.get_task("send").pool == "spapi_demo"  # one pool per account
    published = {a.name for a in dag.get_task("report").outlets}
    assert published == {"reporting.message_log", "reporting.daily_summary"}
    digest = bag.dags["buyer_messaging_weekly_digest"]
    assert "reporting.message_log" in str(digest.timetable.asset_condition)
    with capsys.disabled():
        for path, seconds in sorted(_parse_times(bag).items()):
            print(f"\nDAG file parse: {Path(path).name}: {seconds * 1000:.0f} ms")
        print(f"DagBag total: {elapsed * 1000:.0f} ms for {len(bag.dag_ids)} DAGs")


def _parse_times(bag) -> dict[str, float]:
    stats = getattr(bag, "dagbag_stats", None) or []
    return {
        s.file: s.duration.total_seconds()
        if hasattr(s.duration, "total_seconds")
        else float(s.duration)
        for s in stats
    }


def test_parsing_the_dag_file_does_not_import_heavy_stage_libraries():
    probe = textwrap.dedent(
        f"""
        import runpy, sys, time
        import airflow.sdk  # Airflow's own import cost is not the DAG file's
        t = time.perf_counter()
        runpy.run_path({str(ROOT / "dags" / "buyer_messaging_accounts.py")!r})
        print(f"parse_ms={{(time.perf_counter() - t) * 1000:.0f}}")
        heavy = [m for m in ("great_expectations", "sp_api", "psycopg2", "babel", "phonenumbers")
                 if m in sys.modules]
        print("heavy=" + ",".join(heavy))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=os.environ, check=True
    ).stdout
    print(out)
    assert "heavy=\n" in out or out.strip().endswith("heavy=")


def test_a_bad_account_is_an_import_error_naming_file_account_and_key_and_hides_no_other(
    tmp_path, monkeypatch
):
    from airflow.dag_processing.dagbag import DagBag

    bad = tmp_path / "accounts.yaml"
    bad.write_text(
        "accounts:\n  - id: shop\n    marketplace: XX\n  - id: good_one\n    marketplace: GB\n"
        "  - {id: good_two, marketplace: US, kinds: [review_request]}\n"
    )
    monkeypatch.setenv("BUYER_MESSAGING_ACCOUNTS", str(bad))
    bag = DagBag(dag_folder=str(ROOT / "dags"))
    [(path, error)] = bag.import_errors.items()
    assert Path(path).name == "buyer_messaging_account_errors.py"
    assert str(bad) in error and "accounts[0] (id=shop).marketplace" in error
    assert {"buyer_messaging_good_one", "buyer_messaging_good_two"} <= set(bag.dag_ids)
    assert "buyer_messaging_shop" not in bag.dag_ids


def test_an_unreadable_accounts_file_is_one_import_error_naming_it(tmp_path, monkeypatch):
    from airflow.dag_processing.dagbag import DagBag

    bad = tmp_path / "accounts.yaml"
    bad.write_text("accounts: [\n")
    monkeypatch.setenv("BUYER_MESSAGING_ACCOUNTS", str(bad))
    bag = DagBag(dag_folder=str(ROOT / "dags"))
    [(path, error)] = bag.import_errors.items()
    assert Path(path).name == "buyer_messaging_accounts.py"
    assert str(bad) in error and "not valid YAML" in error


def test_fifty_accounts_parse_into_fifty_dags_in_their_time_zones(tmp_path, monkeypatch, capsys):
    from airflow.dag_processing.dagbag import DagBag

    markets = ["US", "GB", "FR", "DE", "ES", "IT"]
    lines = ["accounts:"] + [
        f"  - {{id: shop_{i:02d}, marketplace: {markets[i % 6]}, kinds: [review_request]}}"
        for i in range(50)
    ]
    accounts = tmp_path / "accounts.yaml"
    accounts.write_text("\n".join(lines) + "\n")
    monkeypatch.setenv("BUYER_MESSAGING_ACCOUNTS", str(accounts))
    bag = DagBag(dag_folder=str(ROOT / "dags" / "buyer_messaging_accounts.py"))
    assert bag.import_errors == {}
    assert len(bag.dag_ids) == 50
    assert bag.dags["buyer_messaging_shop_02"].timezone.name == "Europe/Paris"
    [seconds] = _parse_times(bag).values()
    with capsys.disabled():  # the target (< 1 s) is checked by `make bench`, not a timed test
        print(f"\n50 accounts: buyer_messaging_accounts.py parsed in {seconds * 1000:.0f} ms")
