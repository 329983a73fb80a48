"""A plain ``dbt build`` on landed demo data: cold (empty target folder: a full parse) and
warm (the same target again: partial parsing), repeated, min and median, nodes by kind.

Reads a landing folder that is already there (default: the end-to-end benchmark's,
``<work>/bench/e2e/landing``; run ``python -m impact_warehouse.benchmarks.end_to_end`` first,
or pass ``--landing``). ``--project-dir`` builds another copy of ``dbt_project/`` (e.g.
``git archive <commit> dbt_project | tar -x -C /tmp/before``) so a before/after pair comes
from one machine; ``--args`` replaces the production build's arguments
(``dbt_runner.PRODUCTION_BUILD``), e.g. ``--args build`` for every resource type. The load
average is printed before and after: other processes on the machine slow every figure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
from pathlib import Path

from impact_warehouse.benchmarks.child import run_step
from impact_warehouse.benchmarks.machine import describe
from impact_warehouse.settings import paths
from impact_warehouse.transform.dbt_runner import DBT_PROJECT_DIR, PRODUCTION_BUILD

_BUILD = """
import time
from collections import Counter
from pathlib import Path
from impact_warehouse.transform.dbt_runner import run_dbt

work = Path({work!r})
timings = []
for label in ("cold", "warm"):
    started = time.perf_counter()
    run = run_dbt({args!r}, target_path=work / "target", duckdb_path=work / "audit.duckdb",
                  landing_dir=Path({landing!r}), project_dir=Path({project!r}))
    timings.append(time.perf_counter() - started)
kinds = Counter(node.split(".")[0] for node in run.node_statuses)
RESULT = {{"cold": timings[0], "warm": timings[1], "kinds": dict(kinds),
          "nodes": len(run.node_statuses)}}
"""


def _load() -> str:
    path = Path("/proc/loadavg")
    return " ".join(path.read_text().split()[:3]) if path.exists() else "n/a"


def run(landing: Path, project: Path, args: list[str], work: Path, repeats: int) -> list[dict]:
    results = []
    for _ in range(repeats):
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        code = _BUILD.format(work=str(work), args=args, landing=str(landing), project=str(project))
        results.append(run_step(code))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--landing", type=Path, default=None)
    parser.add_argument("--project-dir", type=Path, default=None)
    parser.add_argument("--args", nargs="+", default=list(PRODUCTION_BUILD))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work-dir", type=Path, default=None, help="emptied before each run")
    options = parser.parse_args(argv)
    settings = paths()
    landing = (options.landing or settings.work / "bench" / "e2e" / "landing").resolve()
    if not landing.is_dir():
        parser.error(f"no landing folder {landing}: run benchmarks.end_to_end or pass --landing")
    project = (options.project_dir or DBT_PROJECT_DIR).resolve()
    work = (options.work_dir or settings.work / "bench" / "dbt_build").resolve()
    print(describe())
    print(f"dbt {' '.join(options.args)} on {landing} ({project}), {os.cpu_count()} cores")
    print(f"  load average before: {_load()}")
    results = run(landing, project, options.args, work, options.repeats)
    print(f"  load average after:  {_load()}")
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(results[-1]["kinds"].items()))
    print(f"  nodes {results[-1]['nodes']} ({kinds})")
    print(f"  {'run':<6} {'min s':>7} {'median s':>9}   all")
    for label in ("cold", "warm"):
        values = [result[label] for result in results]
        listed = " ".join(f"{value:.1f}" for value in values)
        print(f"  {label:<6} {min(values):>7.1f} {statistics.median(values):>9.1f}   {listed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
