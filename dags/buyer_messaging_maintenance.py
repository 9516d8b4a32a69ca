"""Maintenance Airflow DAG: buyer PII retention purge for every account."""

from buyer_messaging.retention.stage import build_maintenance_dag

dag = build_maintenance_dag()
