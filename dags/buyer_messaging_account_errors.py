"""Airflow import error for every invalid account in the accounts file; defines no DAG.

buyer_messaging_accounts_*_of_8.py build the DAGs of the valid accounts; this file raises, naming the
file, the account and the key, so that a typo shows in the UI's DAG import errors without
taking every other account's DAG down.
"""

from buyer_messaging.dag_factory import raise_account_problems

raise_account_problems()
