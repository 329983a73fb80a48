"""Scale benchmark: dbt build, the hand-written baseline and the quality gate at 1×…1000×.

For each scale the demo data are generated and landed once (cached under the work folder,
see scale_data.py); then, each in a fresh process: `dbt build` (models, data tests and unit
tests) into a new DuckDB file, the baseline script (baseline_indicator_results.sql) into
another, and the quality gate (run_gate) on the built warehouse. Prints time and peak memory
per step, the warehouse / baseline ratio per scale and the growth exponent of each cost.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from impact_warehouse.benchmarks.child import run_step
from impact_warehouse.benchmarks.growth import growth_exponent, ratio
from impact_warehouse.settings import paths

DEFAULT_SCALES = (1, 10, 100, 1000)

_BUILD = """
import json
from pathlib import Path
from impact_warehouse.settings import paths
from impact_warehouse.transform.dbt_runner import run_dbt
run = run_dbt(["build"], paths(), target_path=Path({target!r}), duckdb_path=Path({database!r}),
              landing_dir=Path({landing!r}))
results = json.loads((Path({target!r}) / "run_results.json").read_text())["results"]
by_type = {{}}
for node in results:
    kind = node["unique_id"].split(".")[0]
    by_type[kind] = by_type.get(kind, 0.0) + node["execution_time"]
slowest = sorted(results, key=lambda node: node["execution_time"], reverse=True)[:5]
RESULT = {{
    "seconds": run.elapsed_seconds,
    "nodes": len(run.node_statuses),
    "node_seconds_by_type": by_type,
    "slowest": [[node["unique_id"], node["execution_time"]] for node in slowest],
}}
"""

_BASELINE = """
from pathlib import Path
from impact_warehouse.benchmarks.baseline import run_baseline
RESULT = run_baseline(Path({landing!r}), Path({database!r}))
"""

_GATE = """
import time
from datetime import date
from pathlib import Path
from impact_warehouse.quality import run_gate
from impact_warehouse.settings import paths
started = time.perf_counter()
gate = run_gate(Path({database!r}), paths(), as_of=date.fromisoformat({as_of!r}),
                data_docs_dir=Path({docs!r}), landing_dir=Path({landing!r}))
RESULT = {{
    "seconds": time.perf_counter() - started,
    "passed": gate.passed,
    "findings": len(gate.findings),
}}
"""

_LAND = """
from pathlib import Path
from impact_warehouse.benchmarks.scale_data import landed_scale
landed = landed_scale(Path({work!r}), {scale})
RESULT = {{"responses": landed.responses, "landing": str(landed.landing),
          "generate_seconds": landed.generate_seconds, "land_seconds": landed.land_seconds}}
"""


def measure_scale(work_dir: Path, scale: int, *, gate: bool = True) -> dict[str, Any]:
    from impact_warehouse.benchmarks.scale_data import AS_OF, scale_root

    landed = run_step(_LAND.format(work=str(work_dir), scale=scale))
    root = scale_root(work_dir, scale)
    landing = landed["landing"]
    database = str(root / "warehouse.duckdb")
    # The dbt log and artifacts stay with the scale (run_results.json: time per node).
    build = run_step(
        _BUILD.format(target=str(root / "dbt-target"), database=database, landing=landing)
    )
    baseline = run_step(_BASELINE.format(landing=landing, database=str(root / "baseline.duckdb")))
    result: dict[str, Any] = {
        "scale": scale,
        "responses": landed["responses"],
        "build": build,
        "baseline": baseline,
    }
    if gate:
        result["gate"] = run_step(
            _GATE.format(
                database=database,
                as_of=AS_OF.isoformat(),
                docs=str(root / "data_docs"),
                landing=landing,
            )
        )
    return result


def format_table(results: list[dict[str, Any]]) -> str:
    header = (
        f"{'scale':>6} {'responses':>10} {'build s':>8} {'build MiB':>9} {'baseline s':>10} "
        f"{'base MiB':>8} {'ratio':>6} {'gate s':>7} {'gate MiB':>8}"
    )
    lines = [header]
    for row in results:
        build, baseline, gate = row["build"], row["baseline"], row.get("gate")
        build_over_baseline = ratio(build["wall_seconds"], baseline["wall_seconds"])
        lines.append(
            f"{row['scale']:>5}× {row['responses']:>10} {build['wall_seconds']:>8.1f} "
            f"{build['peak_mib']:>9.0f} {baseline['wall_seconds']:>10.1f} "
            f"{baseline['peak_mib']:>8.0f} {build_over_baseline or 0:>6.1f} "
            + (
                f"{gate['seconds']:>7.1f} {gate['peak_mib']:>8.0f}"
                if gate
                else f"{'-':>7} {'-':>8}"
            )
        )
    scales = [row["scale"] for row in results]
    for label, costs in (
        ("dbt build", [row["build"]["wall_seconds"] for row in results]),
        ("baseline", [row["baseline"]["wall_seconds"] for row in results]),
        ("gate", [row["gate"]["seconds"] for row in results if "gate" in row]),
    ):
        if len(costs) != len(scales):
            continue
        exponent = growth_exponent(scales, costs)
        # The fixed cost (dbt start-up, 500 nodes) flattens the slope at small scales, so the
        # slope between the two largest scales is printed too.
        tail = growth_exponent(scales[-2:], costs[-2:]) if len(scales) > 2 else None
        lines.append(
            f"growth exponent {label:>9}: "
            + (f"{exponent:.2f} over all scales" if exponent is not None else "n/a")
            + (f", {tail:.2f} between {scales[-2]}× and {scales[-1]}×" if tail is not None else "")
        )
    return "\n".join(lines)


def default_work_dir() -> Path:
    return Path(os.environ.get("IMPACT_BENCH_DIR") or paths().work / "bench" / "scale")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=int, nargs="+", default=list(DEFAULT_SCALES))
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="cache of generated and landed data per scale (default <work>/bench/scale, "
        "or IMPACT_BENCH_DIR)",
    )
    parser.add_argument("--no-gate", action="store_true", help="skip the quality gate")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args(argv)
    work_dir = (args.work_dir or default_work_dir()).resolve()
    results = []
    for scale in args.scales:
        print(
            f"scale {scale}×: landing (cached after the first run), build, baseline, gate …",
            flush=True,
        )
        row = measure_scale(work_dir, scale, gate=not args.no_gate)
        results.append(row)
        # Each scale's figures as soon as they exist: a later scale may run for long or fail.
        print(format_table([row]).splitlines()[1], flush=True)
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
        slowest = ", ".join(
            f"{uid.split('.')[-1]} {sec:.1f} s" for uid, sec in row["build"]["slowest"]
        )
        print(f"  slowest dbt nodes: {slowest}", flush=True)
    print(format_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
