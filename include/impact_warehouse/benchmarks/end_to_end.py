"""End to end on demo data: ingest → dbt build → gate → publish → report, per stage.

Runs in a fresh process on an empty work folder (a warm install: packages installed, nothing
landed or built). The demo sources are generated first and served by the local Forms API
server, as `make demo` does; generating them stands in for the outside world and is printed
but not counted. Staff alerts are not sent.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from impact_warehouse.benchmarks.child import run_step
from impact_warehouse.settings import FOLDER_VARIABLES, paths

FISCAL_YEAR = 2025
STAGES = ("ingest", "dbt build", "gate", "publish", "report")

_PIPELINE = """
import time
from datetime import date
from pathlib import Path
from impact_warehouse.pipeline import ingest
from impact_warehouse.catalog import load_catalog
from impact_warehouse.demo.forms_api_server import FormsApiServer
from impact_warehouse.demo.generator import generate_demo_sources
from impact_warehouse.settings import paths
from impact_warehouse.sources.google_forms import FormsApiConfig

as_of = date.fromisoformat({as_of!r})
settings = paths()
stages = {{}}
notes = []

step = time.perf_counter()
generate_demo_sources(settings.demo_sources, as_of=as_of)
generate_seconds = time.perf_counter() - step

step = time.perf_counter()
waves = ingest.plan_form_waves(load_catalog(), as_of, as_of, as_of=as_of, all_waves=True)
with FormsApiServer(settings.demo_sources / "google_forms", token="e2e") as server:
    config = FormsApiConfig(base_url=server.url, token="e2e")
    units = [*ingest.land_operations(settings), *ingest.land_panels(settings)]
    units += [ingest.land_form_wave(settings, wave, config, as_of=as_of) for wave in waves]
summary = ingest.finish_run(settings, "e2e", units)
stages["ingest"] = time.perf_counter() - step

step = time.perf_counter()
from impact_warehouse.pipeline.release import build_audit_warehouse
built = build_audit_warehouse(settings)
stages["dbt build"] = time.perf_counter() - step
audit_db = Path(built.audit_db)

step = time.perf_counter()
from impact_warehouse.quality import run_gate
gate = run_gate(audit_db, settings, as_of=as_of)
stages["gate"] = time.perf_counter() - step

if gate.passed:
    step = time.perf_counter()
    from impact_warehouse.publish import publish_release
    release = publish_release(audit_db, fiscal_year={fiscal_year}, run_id="e2e",
                              gate_result=gate.summary, releases_dir=settings.releases,
                              published_path=settings.published_warehouse)
    stages["publish"] = time.perf_counter() - step
    step = time.perf_counter()
    try:
        from impact_warehouse.report import render_report
    except ImportError as exc:
        notes.append(f"report stage skipped: impact_warehouse.report is not importable ({{exc}})")
    else:
        report = render_report({fiscal_year}, release_id=release.release_id, settings=settings)
        stages["report"] = time.perf_counter() - step
else:
    notes.append(f"gate failed ({{len(gate.findings)}} findings): nothing published or reported")

RESULT = {{"stages": stages, "generate_seconds": generate_seconds, "notes": notes,
          "landed": sum(unit["landed"] for unit in units)}}
"""


def run(work_dir: Path, as_of: str) -> dict:
    if work_dir.exists():
        shutil.rmtree(work_dir)
    work_dir.mkdir(parents=True)
    env = {
        "IMPACT_WORK_DIR": str(work_dir),
        "IMPACT_PSEUDONYM_KEY": os.environ.get(
            "IMPACT_PSEUDONYM_KEY", "e2e-benchmark-key-not-secret-32-bytes"
        ),
    }
    # Every folder follows the work dir: no inherited override may point into another one.
    for variable in FOLDER_VARIABLES:
        os.environ.pop(variable, None)
    env["IMPACT_INBOX_DIR"] = str(work_dir / "demo_sources" / "inbox")
    return run_step(_PIPELINE.format(as_of=as_of, fiscal_year=FISCAL_YEAR), env=env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--as-of", default="2026-11-23", help="demo data as of this day")
    parser.add_argument(
        "--work-dir", type=Path, default=None, help="emptied first (default <work>/bench/e2e)"
    )
    args = parser.parse_args(argv)
    work_dir = (args.work_dir or paths().work / "bench" / "e2e").resolve()
    result = run(work_dir, args.as_of)
    print(f"end to end on demo data (as of {args.as_of}, FY{FISCAL_YEAR} release), fresh process")
    print(f"  (demo sources generated in {result['generate_seconds']:.1f} s, not counted)")
    print(f"  {'stage':<10} {'seconds':>8}")
    for stage in STAGES:
        seconds = result["stages"].get(stage)
        print(
            f"  {stage:<10} " + (f"{seconds:>8.1f}" if seconds is not None else f"{'skipped':>8}")
        )
    counted = sum(result["stages"].values())
    print(f"  {'stages':<10} {counted:>8.1f}")
    print(
        f"  {'process':<10} {result['wall_seconds'] - result['generate_seconds']:>8.1f}  "
        "(interpreter start and imports included; target < 60 s; "
        f"peak {result['peak_mib']:.0f} MiB)"
    )
    for note in result["notes"]:
        print(f"  note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
