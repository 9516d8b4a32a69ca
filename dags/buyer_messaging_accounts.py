"""One buyer-messaging Airflow DAG per seller account in the accounts file (include/accounts.yaml)."""

from buyer_messaging.dag_factory import build_dags

globals().update(build_dags())
