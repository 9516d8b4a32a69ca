"""A missing `spapi_<id>` pool: created when the account's run starts, through Airflow's own
plugin and listener machinery, against Airflow's real metadata database."""

import subprocess
import sys
import textwrap

# one fresh process per check: plugins and listeners are loaded once per process, and the
# metadata DB is the session's (AIRFLOW_HOME, migrated by the airflow_db fixture)
PROBE = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timezone

    from airflow.listeners.listener import get_listener_manager
    from airflow.models.dagrun import DagRun
    from airflow.models.pool import Pool
    from airflow.plugins_manager import get_plugin_info
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState

    print("plugins:", [p["name"] for p in get_plugin_info()])
    dag_id, preset = sys.argv[1], sys.argv[2]
    with create_session() as session:
        old = session.query(Pool).filter(Pool.pool == "spapi_demo").one_or_none()
        if old:
            session.delete(old)
    if preset != "none":
        Pool.create_or_update_pool("spapi_demo", int(preset), "operator's", include_deferred=False)
    run = DagRun(dag_id=dag_id, run_id="manual__probe", run_type="manual", state=DagRunState.RUNNING,
                 run_after=datetime.now(timezone.utc))
    assert get_listener_manager().has_listeners
    run.notify_dagrun_state_changed(msg="")  # what the scheduler calls when a run starts
    pool = Pool.get_pool("spapi_demo")
    print("pool:", pool and (pool.slots, pool.description))
    """
)


def _probe(dag_id: str, preset: str = "none") -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, dag_id, preset], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout + done.stderr


def test_a_missing_pool_is_created_with_the_documented_slots_when_the_run_starts(airflow_db):
    out = _probe("buyer_messaging_demo")
    assert "buyer_messaging_ui" in out  # through the airflow.plugins entry point
    assert "pool: (4, 'SP-API sends for account demo" in out
    assert "pool spapi_demo did not exist: created it with 4 slots" in out


def test_an_existing_pool_keeps_the_operators_slots(airflow_db):
    out = _probe("buyer_messaging_demo", preset="2")
    assert 'pool: (2, "operator\'s")' in out
    assert "did not exist" not in out


def test_other_dags_create_no_pool(airflow_db):
    assert "pool: None" in _probe("some_other_dag")
