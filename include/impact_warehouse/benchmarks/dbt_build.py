"""A plain ``dbt build`` on landed demo data: cold (empty target folder: a full parse) and
warm (the same target again: partial parsing), repeated, min and median, nodes by kind, and
where the time goes: dbt's start (parse, compile set-up: wall time minus dbt's own elapsed),
node execution summed by kind (seeds, models, tests, hooks; threads overlap them), the
process's CPU seconds (less sensitive to other load than wall time) and the slowest nodes,
all read from ``run_results.json``.

Reads a landing folder that is already there (default: the end-to-end benchmark's,
``<work>/bench/e2e/landing``; run ``python -m impact_warehouse.benchmarks.end_to_end`` first,
or pass ``--landing``). ``--project-dir`` builds another copy of ``dbt_project/`` (e.g.
``git archive <commit> dbt_project | tar -x -C /tmp/before``) so a before/after pair comes
from one machine; ``--args`` replaces the production build's arguments
(``dbt_runner.PRODUCTION_BUILD``), e.g. ``--args build`` for every resource type. The load
average is printed before and after: other processes on the machine slow every figure. For a
before/after pair that includes Python changes (the models' compute code), check out the old
commit (``git worktree add /tmp/before <commit>``) and run this module with
``PYTHONPATH=/tmp/before/include`` and ``--project-dir /tmp/before/dbt_project``.
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
from impact_warehouse.transform.parse_cache import CACHE_ENV

_BUILD = """
import inspect
import json
import resource
import time
from collections import Counter
from pathlib import Path
from impact_warehouse.settings import paths
from impact_warehouse.transform.dbt_runner import run_dbt

def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

work = Path({work!r})
# As the production build runs (pipeline/release.py); an older checkout's run_dbt, measured
# for a before/after pair, has no such option and writes the manifest.
writes_manifest_option = "write_manifest" in inspect.signature(run_dbt).parameters
no_manifest = {{"write_manifest": False}} if writes_manifest_option else {{}}
RESULT = {{}}
for label in {labels!r}:
    started, cpu = time.perf_counter(), cpu_seconds()
    run = run_dbt({args!r}, paths(), target_path=work / "target", duckdb_path=work / "audit.duckdb",
                  landing_dir=Path({landing!r}), project_dir=Path({project!r}), **no_manifest)
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    results = json.loads((work / "target" / "run_results.json").read_text())
    by_kind = Counter()
    for node in results["results"]:
        by_kind[node["unique_id"].split(".")[0]] += node["execution_time"]
    slowest = sorted(results["results"], key=lambda node: -node["execution_time"])[:{top}]
    RESULT[label] = wall
    RESULT[label + "_detail"] = {{
        "start": wall - results["elapsed_time"], "cpu": cpu, "by_kind": dict(by_kind),
        "slowest": [[node["unique_id"], node["execution_time"]] for node in slowest],
    }}
RESULT["kinds"] = dict(Counter(node.split(".")[0] for node in run.node_statuses))
RESULT["nodes"] = len(run.node_statuses)
"""


# cold: an empty target folder and no shared parse cache (a full parse); warm: the same target
# and DuckDB file again (partial parsing, as the release job's builds in <work>/dbt/target).
# Each in its own process, as the release job's builds run: a second build in the same
# process would find the shared computations of its Python models kept from the first
# (transform/computed_once.py) and compute nothing.
LABELS = ("cold", "warm")


def _load() -> str:
    path = Path("/proc/loadavg")
    return " ".join(path.read_text().split()[:3]) if path.exists() else "n/a"


def run(
    landing: Path, project: Path, args: list[str], work: Path, repeats: int, top: int = 10
) -> list[dict]:
    results = []
    for _ in range(repeats):
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        result: dict = {}
        for label in LABELS:
            code = _BUILD.format(
                work=str(work),
                args=args,
                landing=str(landing),
                project=str(project),
                top=top,
                labels=(label,),
            )
            # Off: "cold" is a parse from nothing, not one shared by another work folder.
            result.update(run_step(code, env={CACHE_ENV: ""}))
        results.append(result)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--landing", type=Path, default=None)
    parser.add_argument("--project-dir", type=Path, default=None)
    parser.add_argument("--args", nargs="+", default=list(PRODUCTION_BUILD))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work-dir", type=Path, default=None, help="emptied before each run")
    parser.add_argument("--top", type=int, default=10, help="slowest nodes listed")
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
    results = run(landing, project, options.args, work, options.repeats, options.top)
    print(f"  load average after:  {_load()}")
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(results[-1]["kinds"].items()))
    print(f"  nodes {results[-1]['nodes']} ({kinds})")
    print(f"  {'run':<6} {'min s':>7} {'median s':>9}   all")
    for label in LABELS:
        values = [result[label] for result in results]
        listed = " ".join(f"{value:.1f}" for value in values)
        print(f"  {label:<6} {min(values):>7.1f} {statistics.median(values):>9.1f}   {listed}")
    for label in LABELS:
        print(f"  {label}, median of the runs (node times overlap: threads run side by side):")
        details = [result[label + "_detail"] for result in results]
        start = statistics.median(detail["start"] for detail in details)
        cpu = statistics.median(detail["cpu"] for detail in details)
        print(f"    dbt start (parse, set-up) {start:.1f} s, build process CPU {cpu:.1f} s")
        kinds = sorted({kind for detail in details for kind in detail["by_kind"]})
        executed = ", ".join(
            f"{kind} {statistics.median(d['by_kind'].get(kind, 0.0) for d in details):.1f}"
            for kind in kinds
        )
        print(f"    node execution summed by kind (s): {executed}")
    print("  slowest nodes (last cold run, s):")
    for unique_id, seconds in results[-1]["cold_detail"]["slowest"]:
        print(f"    {seconds:6.2f}  {unique_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
