"""Each account's `spapi_<id>` pool exists before its DAG run needs it.

The scheduler leaves a task whose pool does not exist `scheduled` forever, and says so only in
its own log ("Tasks using non-existent pool ... will not be scheduled"): no DAG warning, no
task log (Airflow 3.3 computes no non-existent-pool warnings). Tasks cannot see pools (the Task
SDK has no pool API), so this listener, run by the scheduler when a run starts, creates the
missing pool with the documented slots; an operator's existing pool is never changed.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from airflow.listeners import hookimpl

if TYPE_CHECKING:
    from airflow.models.dagrun import DagRun

log = logging.getLogger(__name__)

DEFAULT_POOL_SLOTS = 4  # as README's `airflow pools set spapi_<id> 4` and airflow-init.sh
DAG_ID_PREFIX = "buyer_messaging_"


def pool_of_dag(dag_id: str) -> str | None:
    """The pool an account DAG's sends use; None for other DAGs and unknown accounts."""
    if not dag_id.startswith(DAG_ID_PREFIX):
        return None
    from buyer_messaging.config import ConfigError, read_accounts

    try:
        accounts = read_accounts().accounts
    except ConfigError:
        return None  # the DAG file's import error already says why
    return next((a.pool for a in accounts if a.dag_id == dag_id), None)


def ensure_pool(name: str) -> bool:
    """Create the pool when missing; True when it was created."""
    from airflow.models.pool import Pool
    from airflow.utils.session import create_session

    with create_session() as session:
        if Pool.get_pool(name, session=session) is not None:
            return False
        Pool.create_or_update_pool(
            name,
            slots=DEFAULT_POOL_SLOTS,
            description=f"SP-API sends for account {name.removeprefix('spapi_')}"
            " (created by buyer-messaging: the pool did not exist)",
            include_deferred=False,
            session=session,
        )
    log.warning(
        "pool %s did not exist: created it with %d slots (change them with"
        " `airflow pools set %s <slots> <description>`)",
        name, DEFAULT_POOL_SLOTS, name,
    )  # fmt: skip
    return True


def _ensure_pool_logged(name: str) -> None:
    try:
        ensure_pool(name)
    except Exception:  # a listener must never break the scheduler loop
        log.exception(
            "could not check or create pool %s: create it with `airflow pools set %s %d"
            ' "SP-API sends"`, else the send tasks stay scheduled',
            name, name, DEFAULT_POOL_SLOTS,
        )  # fmt: skip


@hookimpl
def on_dag_run_running(dag_run: DagRun, msg: str) -> None:
    name = pool_of_dag(dag_run.dag_id)
    if name is None:
        return
    # In a thread of its own: Airflow's sessions are scoped per thread, and closing one here
    # would close the scheduler's own session under it (its DAG runs become detached and the
    # scheduler exits).
    worker = threading.Thread(target=_ensure_pool_logged, args=(name,), name=f"ensure-{name}")
    worker.start()
    worker.join(timeout=30)
