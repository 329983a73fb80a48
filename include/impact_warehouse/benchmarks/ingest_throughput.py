"""Responses per second and peak memory pulling N responses from the local Forms API.

The responses are copies of one demo form's real responses with fresh ids and timestamps,
served by the demo server in pages of 5,000; the ingest runs in its own process so its peak
RSS is measured alone. Memory should stay flat as N grows: pages are landed as they arrive.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from impact_warehouse.demo.forms_api_server import FormsApiServer

_RUN = """
import json, resource, sys, time
from impact_warehouse.pipeline import ingest
from impact_warehouse.settings import paths
from impact_warehouse.sources.google_forms import FormsApiConfig
config = FormsApiConfig(base_url=sys.argv[1], token=sys.argv[2])
started = time.perf_counter()
summary = ingest.land_form_wave(paths(), sys.argv[3], config)
elapsed = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({
    "seconds": elapsed,
    "landed": summary["landed"],
    "peak_mib": usage.ru_maxrss / 1024,
    "cpu_seconds": usage.ru_utime + usage.ru_stime,
}))
"""


def write_synthetic_source(source: Path, template_dir: Path, form_id: str, count: int) -> None:
    """Copy the form and multiply its responses to ``count`` with unique ids and times."""
    (source / "forms").mkdir(parents=True)
    (source / "responses").mkdir(parents=True)
    (source / "forms" / f"{form_id}.json").write_bytes(
        (template_dir / "forms" / f"{form_id}.json").read_bytes()
    )
    templates = []
    for line in (template_dir / "responses" / f"{form_id}.jsonl").read_text("utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if (
            isinstance(record, dict)
            and record.get("responseId")
            and record.get("formId") == form_id
        ):
            templates.append(record)
    start = datetime(2025, 12, 11, tzinfo=UTC)
    with (source / "responses" / f"{form_id}.jsonl").open("w", encoding="utf-8") as handle:
        for number in range(count):
            record = dict(templates[number % len(templates)])
            stamp = (start + timedelta(milliseconds=number * 37)).isoformat(timespec="milliseconds")
            record["responseId"] = f"bench{number:012d}"
            record["createTime"] = record["lastSubmittedTime"] = stamp.replace("+00:00", "Z")
            record["respondentEmail"] = f"bench{number % 5000}@example.com"
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def run(count: int, wave_code: str) -> dict[str, float]:
    from impact_warehouse.catalog import load_catalog
    from impact_warehouse.demo.generator import generate_demo_sources

    form_id = load_catalog().waves[wave_code].source_ref
    with tempfile.TemporaryDirectory(prefix="impact-bench-") as scratch:
        scratch_dir = Path(scratch)
        generate_demo_sources(scratch_dir / "demo", as_of=date(2026, 11, 23))
        source = scratch_dir / "source"
        write_synthetic_source(source, scratch_dir / "demo" / "google_forms", form_id, count)
        env = {
            **os.environ,
            "IMPACT_WORK_DIR": str(scratch_dir / "work"),
            "IMPACT_INBOX_DIR": str(scratch_dir / "demo" / "inbox"),
            "IMPACT_PSEUDONYM_KEY": os.environ.get(
                "IMPACT_PSEUDONYM_KEY", "bench-key-not-secret-at-least-32-bytes"
            ),
        }
        with FormsApiServer(source, token="bench") as server:
            started = time.perf_counter()
            output = (
                subprocess.run(
                    [sys.executable, "-c", _RUN, server.url, "bench", wave_code],
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            wall = time.perf_counter() - started
    result = json.loads(output)
    result["wall_seconds"] = wall
    result["responses_per_second"] = result["landed"] / result["seconds"]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--responses", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--wave", default="mamabono_2025_post")
    args = parser.parse_args(argv)
    # The ingest's CPU seconds (its whole process, start-up included) tell a slower machine
    # from slower code when the machine is shared; the load average says how shared it was.
    print(f"load average (1 min) at start: {os.getloadavg()[0]:.2f}")
    print(f"{'responses':>10} {'seconds':>8} {'responses/s':>12} {'CPU s':>7} {'peak MiB':>9}")
    for count in args.responses:
        result = run(count, args.wave)
        print(
            f"{count:>10} {result['seconds']:>8.1f} {result['responses_per_second']:>12.0f} "
            f"{result['cpu_seconds']:>7.1f} {result['peak_mib']:>9.0f}"
        )
    own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(server process peak {own_peak:.0f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
