"""Parse time of each DAG file, as the DAG processor sees it (fresh interpreter per file)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from impact_warehouse.orchestration.airflow_env import airflow_environment
from impact_warehouse.settings import PROJECT_ROOT

# Airflow itself is imported before the clock starts: its import cost is paid once per
# processor, not per DAG file.
_MEASURE = """
import json, sys, time
import airflow.sdk  # noqa: F401
from airflow.dag_processing.dagbag import DagBag
started = time.perf_counter()
bag = DagBag(dag_folder=sys.argv[1])
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "dags": len(bag.dags), "errors": len(bag.import_errors)}))
"""


def measure(dag_file: Path, repeats: int = 3) -> dict[str, float]:
    env = {**os.environ, **airflow_environment()}
    timings = []
    for _ in range(repeats):
        output = (
            subprocess.run(
                [sys.executable, "-c", _MEASURE, str(dag_file)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        timings.append(json.loads(output))
    best = min(timings, key=lambda timing: timing["seconds"])
    return {"file": dag_file.name, **best}


def main() -> int:
    print(f"{'DAG file':32} {'parse s (best of 3)':>20} {'dags':>5} {'errors':>6}")
    worst = 0.0
    for dag_file in sorted((PROJECT_ROOT / "dags").glob("*.py")):
        result = measure(dag_file)
        worst = max(worst, result["seconds"])
        print(
            f"{result['file']:32} {result['seconds']:>20.3f} {result['dags']:>5} "
            f"{result['errors']:>6}"
        )
    print(f"slowest file: {worst:.3f} s (target < 1 s per file)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
