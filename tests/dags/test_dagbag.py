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
    assert {t.task_id for t in dag.tasks} == {
        "migrate_warehouse", "extract_orders", "extract_returns", "extract_feedback", "validate",
        "signals", "plan", "render_and_lint", "send_backlog", "send_batches", "send", "report",
        "list_order_details",
    }  # fmt: skip
    # what the last runs left ready goes once the day's ratings and returns are in (their
    # negative signals stop it), not after the day's whole pipeline
    assert dag.get_task("send_backlog").upstream_task_ids == {"extract_returns", "extract_feedback"}
    assert dag.get_task("send_backlog").pool == "spapi_demo"
    assert dag.get_task("send_batches").upstream_task_ids == {"render_and_lint"}
    assert dag.get_task("report").upstream_task_ids == {
        "send", "send_backlog", "list_order_details",
    }  # fmt: skip
    # a report-first account's order details: listed beside validate ... send, from the
    # orders extract's result, without a slot of the pool the senders share
    details = dag.get_task("list_order_details")
    assert details.upstream_task_ids == {"extract_orders"}
    assert details.downstream_task_ids == {"report"}
    assert details.pool == "default_pool"
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
        runpy.run_path({str(ROOT / "dags" / "buyer_messaging_accounts_1_of_8.py")!r})
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
    assert Path(path).name == "buyer_messaging_accounts_1_of_8.py"  # one error, not one a shard
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
    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    shop_dags = [d for d in bag.dag_ids if d.startswith("buyer_messaging_shop_")]
    assert len(shop_dags) == 50
    assert bag.dags["buyer_messaging_shop_02"].timezone.name == "Europe/Paris"
    # every shard file builds its part, each account in exactly one file
    files = {Path(bag.dags[d].fileloc).name for d in shop_dags}
    assert files == {f"buyer_messaging_accounts_{k}_of_8.py" for k in range(1, 9)}
    with capsys.disabled():  # the target is checked by `make bench`, not a timed test
        for path, seconds in sorted(_parse_times(bag).items()):
            print(f"\n50 accounts: {Path(path).name} parsed in {seconds * 1000:.0f} ms")


def test_a_task_process_builds_only_its_own_dag(tmp_path, monkeypatch):
    """Airflow's task runner sets the parsing context to the task's DAG before it parses the
    DAG's file: that file then builds one DAG, not its whole shard."""
    import runpy

    from airflow.sdk import DAG

    from buyer_messaging.dag_factory import shard_of

    accounts = tmp_path / "accounts.yaml"
    accounts.write_text(
        "accounts:\n" + "".join(f"  - {{id: shop_{i:02d}, marketplace: US}}\n" for i in range(40))
    )
    monkeypatch.setenv("BUYER_MESSAGING_ACCOUNTS", str(accounts))
    dag_file = ROOT / "dags" / f"buyer_messaging_accounts_{shard_of('shop_07', 8)}_of_8.py"
    whole = runpy.run_path(str(dag_file))
    assert sum(isinstance(v, DAG) for v in whole.values()) > 1
    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_DAG_ID", "buyer_messaging_shop_07")
    only = runpy.run_path(str(dag_file))
    assert [k for k, v in only.items() if isinstance(v, DAG)] == ["buyer_messaging_shop_07"]


def test_an_edited_accounts_file_is_read_again_in_the_same_process(tmp_path):
    from buyer_messaging.config import read_accounts

    accounts = tmp_path / "accounts.yaml"
    accounts.write_text("accounts:\n  - {id: one, marketplace: US}\n")
    assert [a.id for a in read_accounts(accounts).accounts] == ["one"]
    accounts.write_text("accounts:\n  - {id: two, marketplace: US}\n")  # same size, same tick
    assert [a.id for a in read_accounts(accounts).accounts] == ["two"]


def test_airflow_keeps_no_dag_of_a_file_that_raises_after_defining_them(tmp_path):
    """Why the invalid accounts raise from a DAG file of their own (dag_factory.py)."""
    from airflow.dag_processing.dagbag import DagBag

    (tmp_path / "defines_then_raises.py").write_text(
        "from airflow.sdk import DAG\n"
        "dag = DAG('defined_first', schedule=None)\n"
        "raise ValueError('accounts.yaml: accounts[1] (id=x).marketplace: bad')\n"
    )
    bag = DagBag(dag_folder=str(tmp_path))
    assert bag.dag_ids == []
    [error] = bag.import_errors.values()
    assert "accounts[1] (id=x).marketplace" in error
