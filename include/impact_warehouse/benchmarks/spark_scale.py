"""Spark beside DuckDB: ``dbt build`` of the same landed data at 1×, 10×, 100×.

The landed data per scale are the scale benchmark's (scale.py, cached under the work folder).
Each build runs in a fresh process: the DuckDB build into a new file, the Spark build
(``spark_build.build_on_spark``, master ``IMPACT_SPARK_MASTER`` or ``local[2]``; seeds and
models, as the comparison test) into a new warehouse and metastore. Prints the wall time of
each (Spark's including its session start) and the growth exponent of each cost. Figures
printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from impact_warehouse.benchmarks.child import run_step
from impact_warehouse.benchmarks.growth import growth_exponent, ratio
from impact_warehouse.benchmarks.scale import _BUILD, _LAND, default_work_dir

DEFAULT_SCALES = (1, 10, 100)

_SPARK_BUILD = """
import json
import shutil
from pathlib import Path
from impact_warehouse.transform.spark_build import SEEDS_AND_MODELS, build_on_spark
from impact_warehouse.transform.spark_session import stop_session
shutil.rmtree(Path({work!r}) / "spark", ignore_errors=True)
from impact_warehouse.settings import Settings
settings = Settings.for_work_dir(Path({work!r}), Path({work!r}) / "inbox")
build = build_on_spark(settings=settings, landing_dir=Path({landing!r}),
                       target_path=Path({target!r}), args=SEEDS_AND_MODELS)
stop_session()
results = json.loads((Path({target!r}) / "run_results.json").read_text())["results"]
slowest = sorted(results, key=lambda node: node["execution_time"], reverse=True)[:5]
RESULT = {{
    "seconds": build.elapsed_seconds,
    "session_seconds": build.session_seconds,
    "master": build.master,
    "nodes": len(build.run.node_statuses),
    "slowest": [[node["unique_id"], node["execution_time"]] for node in slowest],
}}
"""


def measure_scale(work_dir: Path, scale: int) -> dict[str, Any]:
    from impact_warehouse.benchmarks.scale_data import scale_root

    landed = run_step(_LAND.format(work=str(work_dir), scale=scale))
    root = scale_root(work_dir, scale)
    landing = landed["landing"]
    duckdb = run_step(
        _BUILD.format(
            target=str(root / "dbt-target"),
            database=str(root / "warehouse.duckdb"),
            landing=landing,
        )
    )
    spark = run_step(
        _SPARK_BUILD.format(
            work=str(root / "spark-work"), landing=landing, target=str(root / "spark-target")
        )
    )
    return {"scale": scale, "responses": landed["responses"], "duckdb": duckdb, "spark": spark}


def format_table(results: list[dict[str, Any]]) -> str:
    lines = [
        f"{'scale':>6} {'responses':>10} {'DuckDB s':>9} {'Spark s':>8} "
        f"{'session s':>9} {'Spark/DuckDB':>12} {'master':>16}"
    ]
    for row in results:
        duckdb, spark = row["duckdb"], row["spark"]
        lines.append(
            f"{row['scale']:>5}× {row['responses']:>10} {duckdb['wall_seconds']:>9.1f} "
            f"{spark['wall_seconds']:>8.1f} {spark['session_seconds']:>9.1f} "
            f"{ratio(spark['wall_seconds'], duckdb['wall_seconds']) or 0:>12.1f} "
            f"{spark['master']:>16}"
        )
    scales = [row["scale"] for row in results]
    for engine in ("duckdb", "spark"):
        costs = [row[engine]["wall_seconds"] for row in results]
        exponent = growth_exponent(scales, costs)
        tail = growth_exponent(scales[-2:], costs[-2:]) if len(scales) > 2 else None
        lines.append(
            f"growth exponent {engine:>6}: "
            + (f"{exponent:.2f} over all scales" if exponent is not None else "n/a")
            + (f", {tail:.2f} between {scales[-2]}× and {scales[-1]}×" if tail is not None else "")
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=int, nargs="+", default=list(DEFAULT_SCALES))
    parser.add_argument("--work-dir", type=Path, default=None, help="as scale.py's")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args(argv)
    work_dir = (args.work_dir or default_work_dir()).resolve()
    results = []
    for scale in args.scales:
        print(f"scale {scale}×: landing (cached), DuckDB build, Spark build …", flush=True)
        row = measure_scale(work_dir, scale)
        results.append(row)
        print(format_table([row]).splitlines()[1], flush=True)
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
        slowest = ", ".join(
            f"{uid.split('.')[-1]} {sec:.1f} s" for uid, sec in row["spark"]["slowest"]
        )
        print(f"  slowest Spark nodes: {slowest}", flush=True)
    print(format_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
