"""The buyer-messaging DAGs of shard 2 of 8 of the seller accounts in the accounts file.

Eight files, so that each parses in a fraction of the time of one file with every account
(dag_factory.build_dags); an account's shard is a stable hash of its id. Add files, renamed
`_<k>_of_<n>.py` together, when a file's parse grows past its target (bench/parse.py).
"""

# Airflow's modules the DAGs are built with, named here so that the DAG processor imports
# them once before it forks each parse (dag_processor.parsing_pre_import_modules)
import airflow.providers.standard.decorators.python  # noqa: F401
import airflow.sdk.definitions.timetables.interval  # noqa: F401

from buyer_messaging.dag_factory import build_dags

globals().update(build_dags(shard_file=__file__))
