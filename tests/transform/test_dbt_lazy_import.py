"""dbt is imported when a build runs, not when a module that can start one is imported: it
takes about 1.6 s, and the CLI, the publishing and the report only need the runner's names."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "impact_warehouse.cli",
        "impact_warehouse.publish",
        "impact_warehouse.report",
        "impact_warehouse.pipeline.release",
        "impact_warehouse.transform.dbt_runner",
    ],
)
def test_importing_does_not_import_dbt(module: str) -> None:
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys, {module}\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'dbt'))",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()

    # The last line: whatever a library prints on import comes first.
    assert loaded[-1] == "[]"
