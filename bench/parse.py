"""DAG file parse time with 200 accounts, and each task's start-up cost.

Parse: what the DAG processor pays for each file under dags/, every parse interval. Each
file is parsed in a fresh process that has already imported airflow.sdk and its DAG class,
and the Airflow modules the file imports (the processor pre-imports those before it forks a
parse: `parsing_pre_import_modules`, on by default), so the time is our module's own;
median of 3 (quick: 1). The figure is the parse's CPU time (`time.process_time`): the processor's cost,
and steady on a shared two-core machine where wall time moves threefold; wall time is in the
note. The headline is the slowest file.

Start-up: what a task's process pays before its stage runs, beyond Airflow's own task runner:
parsing its DAG file with Airflow's parsing context naming its DAG (as the task runner sets
it), then importing the modules its function in tasks.py imports (read from tasks.py's
syntax tree, so a new import counts) and the heavy libraries its stage imports on its first
call (`DEFERRED`: Great Expectations for validate, Jinja2/Babel/the linter for render). Fresh process each, after airflow.sdk; CPU time.
"""

from __future__ import annotations

import ast
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import PY, ROOT, Figure

ACCOUNTS = 200
RUNS = 3
MARKETS = ("US", "GB", "FR", "DE", "ES", "IT")
TASKS = (
    "migrate_warehouse", "extract_orders", "extract_returns", "extract_feedback", "validate",
    "signals", "plan", "render_and_lint", "send_backlog", "send_batches", "send", "report",
    "list_order_details",
)  # fmt: skip
# quick mode (which must stay under 10 minutes in all) starts the lightest, the heaviest and the
# most frequent task only: each start is a fresh process importing Airflow
QUICK_TASKS = ("plan", "validate", "render_and_lint", "send")

# what a stage imports inside its own functions on the first call (not seen in tasks.py)
DEFERRED = {
    "validate": ["great_expectations", "great_expectations.expectations"],
    "render_and_lint": ["buyer_messaging.render", "buyer_messaging.lint"],
    "extract_returns": ["babel.dates"],
}

_PARSE = """
import importlib, json, sys, time, runpy
import airflow.sdk  # the DAG processor has this imported already
from airflow.sdk import DAG
from airflow.utils.file import iter_airflow_imports
# as the DAG processor does before it forks a parse (dag_processor.parsing_pre_import_modules)
for name in iter_airflow_imports(sys.argv[1]):
    importlib.import_module(name)
started, cpu = time.perf_counter(), time.process_time()
namespace = runpy.run_path(sys.argv[1], run_name="bench_dag_file")
ms, cpu_ms = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
dags = sum(isinstance(v, DAG) for v in namespace.values())
print(json.dumps({"ms": ms, "cpu_ms": cpu_ms, "dags": dags}))
"""

_START = """
import importlib, json, sys, time, runpy
import airflow.sdk
from airflow.sdk import DAG
started = time.process_time()
namespace = runpy.run_path(sys.argv[1], run_name="bench_dag_file")
parsed = time.process_time()
for name in json.loads(sys.argv[2]):
    importlib.import_module(name)
done = time.process_time()
print(json.dumps({"parse_ms": (parsed - started) * 1000, "import_ms": (done - parsed) * 1000,
                  "dags": sum(isinstance(v, DAG) for v in namespace.values())}))
"""


def accounts_yaml(count: int = ACCOUNTS) -> str:
    lines = ["accounts:"]
    for i in range(count):
        lines += [
            f"  - id: seller_{i:02d}",
            f"    marketplace: {MARKETS[i % len(MARKETS)]}",
            "    kinds: [review_request, unavailability_notice]",
        ]
    return "\n".join(lines) + "\n"


def stage_imports(task: str) -> list[str]:
    """The modules `tasks.<task>` imports inside its body, and those of the tasks.py helpers
    it calls (one level: _warehouse, _spapi, _client ...)."""
    tree = ast.parse((ROOT / "plugins" / "buyer_messaging" / "tasks.py").read_text())
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}

    def imports(fn: ast.FunctionDef) -> set[str]:
        return {
            node.module
            for node in ast.walk(fn)
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
        }

    body = functions[task]
    found = imports(body)
    for node in ast.walk(body):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            helper = functions.get(node.func.id)
            if helper is not None and helper.name != task:
                found |= imports(helper)
    return sorted(found)


def _child(code: str, args: list[str], env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(
        [PY, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    if out.returncode != 0:
        raise RuntimeError(f"{args[0]}: {out.stderr.strip().splitlines()[-1:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def parse_ms(dag_file: Path, env: dict[str, str], runs: int) -> tuple[float, float, int]:
    """(CPU ms, wall ms, DAGs) of parsing the file, medians of `runs` fresh processes."""
    results = [_child(_PARSE, [str(dag_file)], env) for _ in range(runs)]
    return (
        statistics.median(r["cpu_ms"] for r in results),
        statistics.median(r["ms"] for r in results),
        results[-1]["dags"],
    )


def _env(tmp: str) -> dict[str, str]:
    accounts = Path(tmp) / "accounts.yaml"
    accounts.write_text(accounts_yaml())
    home = Path(tmp) / "airflow"
    home.mkdir()
    env = {
        **os.environ,
        "BUYER_MESSAGING_ACCOUNTS": str(accounts),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    }
    env.pop("_AIRFLOW_PARSING_CONTEXT_DAG_ID", None)
    env.pop("_AIRFLOW_PARSING_CONTEXT_TASK_ID", None)
    return env


def _account_file(account_id: str) -> Path:
    from buyer_messaging.dag_factory import shard_of

    files = sorted((ROOT / "dags").glob("buyer_messaging_accounts_*_of_*.py"))
    shards = int(files[0].stem.rsplit("_", 1)[1])
    return ROOT / "dags" / f"buyer_messaging_accounts_{shard_of(account_id, shards)}_of_{shards}.py"


def run(quick: bool) -> list[Figure]:
    runs = 1 if quick else RUNS  # CPU time barely moves between runs; wall time would
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="bm-bench-parse-") as tmp:
        env = _env(tmp)
        per_file = {}
        for dag_file in sorted((ROOT / "dags").glob("*.py")):
            per_file[dag_file.name] = parse_ms(dag_file, env, runs)
        worst = max(per_file, key=lambda name: per_file[name][0])
        cpu, wall, dags = per_file[worst]
        figures.append(
            Figure(
                "dag_parse_ms_200_accounts",
                cpu,
                "ms",
                "<= 300",
                note=f"CPU time of the slowest of {len(per_file)} files in dags/, {worst} ({dags}"
                f" DAGs), with a {ACCOUNTS}-account accounts file (wall {wall:.0f} ms on this"
                f" shared machine); each file in a fresh process after airflow.sdk, median of"
                f" {runs}",
            )
        )
        for name, (cpu, wall, dags) in per_file.items():
            figures.append(
                Figure(
                    f"dag_parse_ms_200_accounts[{Path(name).stem}]",
                    cpu,
                    "ms",
                    "<= 300",
                    note=f"{dags} DAGs; CPU time (wall {wall:.0f} ms)",
                )  # fmt: skip
            )
        account = "seller_07"
        env = {**env, "_AIRFLOW_PARSING_CONTEXT_DAG_ID": f"buyer_messaging_{account}"}
        dag_file = _account_file(account)
        for task in QUICK_TASKS if quick else TASKS:
            modules = stage_imports(task) + DEFERRED.get(task, [])
            result = _child(_START, [str(dag_file), json.dumps(modules)], env)
            figures.append(
                Figure(
                    f"task_start_ms[{task}]",
                    result["parse_ms"] + result["import_ms"],
                    "ms",
                    None,
                    note=f"CPU time: parse {result['parse_ms']:.0f} ms ({dag_file.name} with the parsing"
                    f" context naming its DAG: {result['dags']} DAG built) + imports"
                    f" {result['import_ms']:.0f} ms ({', '.join(modules) or 'none'})",
                )
            )
    return figures


if __name__ == "__main__":
    for fig in run(quick="--quick" in sys.argv):
        print(fig.to_json())
