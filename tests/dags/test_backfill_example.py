"""The backfill command on each DAG's page, read by Airflow's own CLI parser and backfill planner."""

import re
import shlex
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from buyer_messaging.config import load_accounts
from buyer_messaging.dag_factory import build_dag


def _runs(dag, command: str) -> list:
    from airflow.cli.cli_parser import get_parser
    from airflow.models.backfill import _get_info_list
    from airflow.serialization.serialized_objects import DagSerialization

    args = get_parser().parse_args(shlex.split(command)[1:])
    serialized = DagSerialization.from_dict(DagSerialization.to_dict(dag))
    infos = _get_info_list(
        from_date=args.from_date, to_date=args.to_date, reverse=False, dag=serialized
    )
    return args, infos


def test_the_dag_page_backfill_runs_seven_whole_local_days_one_at_a_time():
    for acc in load_accounts():
        dag = build_dag(acc)
        [command] = re.findall(r"`(airflow backfill create [^`]+)`", dag.doc_md)
        args, infos = _runs(dag, command)
        # Airflow 3's backfill has its own limit (models/backfill.py: Backfill.max_active_runs
        # defaults to 10) and ignores the DAG's max_active_runs=1: the command must set it
        assert args.max_active_runs == 1
        assert not args.run_backwards
        zone = ZoneInfo(acc.tz)
        days = [i.data_interval.start.astimezone(zone) for i in infos]
        first = acc.start_date
        assert [d.date() for d in days] == [first + timedelta(days=n) for n in range(7)]
        assert all((d.hour, d.minute) == (0, 0) for d in days)
        assert all(
            i.data_interval.end.astimezone(zone).date()
            - i.data_interval.start.astimezone(zone).date()
            == timedelta(days=1)
            for i in infos
        )


def test_bare_dates_lose_a_day_outside_utc_which_is_why_the_example_has_offsets():
    [acc] = [
        a for a in load_accounts() if ZoneInfo(a.tz).utcoffset(datetime(2026, 1, 1)) != timedelta(0)
    ][:1]
    dag = build_dag(acc)
    _, infos = _runs(
        dag,
        f"airflow backfill create --dag-id {acc.dag_id} --from-date 2026-01-01 --to-date 2026-01-07",
    )
    assert len(infos) == 6
