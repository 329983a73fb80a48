"""The header of a benchmark table: machine, date, commit and versions (README: benchmarks)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from impact_warehouse.settings import PROJECT_ROOT


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def _memory_gib() -> float | None:
    meminfo = Path("/proc/meminfo")
    if not meminfo.exists():
        return None
    for line in meminfo.read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return None


def _git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def describe() -> str:
    memory = _memory_gib()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    packages = ", ".join(
        f"{name} {version(name)}"
        for name in ("dbt-core", "dbt-duckdb", "duckdb", "great-expectations")
    )
    return "\n".join(
        [
            f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {_git_commit()}",
            f"machine: {_cpu_model()}, {os.cpu_count()} cores"
            + (f", {memory:.0f} GiB RAM" if memory else "")
            + f", {platform.system()} {platform.release()}",
            f"python {sys.version.split()[0]}; {packages}",
            "load average (1 min) at start: "
            + (f"{load:.2f}" if load is not None else "n/a")
            + " (figures are only comparable on an otherwise idle machine)",
        ]
    )


if __name__ == "__main__":
    print(describe())
