"""Weekly digest Airflow DAG: scheduled on the reporting Assets the account DAGs publish."""

from buyer_messaging.report.digest import build_digest_dag

dag = build_digest_dag()
