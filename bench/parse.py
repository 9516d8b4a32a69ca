"""DAG file parse time with 50 accounts: what the DAG processor pays for each file, every
parse interval. Each DAG file under dags/ is parsed in a fresh process that has already
imported airflow.sdk (the processor has), so the time is our module's own; median of 3."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import PY, ROOT, Figure

ACCOUNTS = 50
RUNS = 3
MARKETS = ("US", "GB", "FR", "DE", "ES", "IT")

_CHILD = """
import json, sys, time, runpy
import airflow.sdk  # the DAG processor has this imported already
from airflow.sdk import DAG
started = time.perf_counter()
namespace = runpy.run_path(sys.argv[1], run_name="bench_dag_file")
ms = (time.perf_counter() - started) * 1000
print(json.dumps({"ms": ms, "dags": sum(isinstance(v, DAG) for v in namespace.values())}))
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


def parse_ms(dag_file: Path, env: dict[str, str], runs: int) -> tuple[float, int]:
    samples, dags = [], 0
    for _ in range(runs):
        out = subprocess.run(
            [PY, "-c", _CHILD, str(dag_file)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if out.returncode != 0:
            raise RuntimeError(
                f"{dag_file.name} does not parse: {out.stderr.strip().splitlines()[-1:]}"
            )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        samples.append(result["ms"])
        dags = result["dags"]
    return statistics.median(samples), dags


def run(quick: bool) -> list[Figure]:
    figures = []
    with tempfile.TemporaryDirectory(prefix="bm-bench-parse-") as tmp:
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
        files = sorted((ROOT / "dags").glob("*.py"))
        for dag_file in files:
            runs = 1 if quick else RUNS
            ms, dags = parse_ms(dag_file, env, runs)
            name = "dag_parse_ms" if len(files) == 1 else f"dag_parse_ms[{dag_file.stem}]"
            figures.append(
                Figure(name, ms, "ms", "< 1000", note=f"dags/{dag_file.name}: {dags} DAGs from {ACCOUNTS} accounts, "
                    f"median of {runs} fresh process(es)")
            )  # fmt: skip
    return figures


if __name__ == "__main__":
    for fig in run(quick="--quick" in sys.argv):
        print(fig.to_json())
