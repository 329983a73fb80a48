"""Importing the quality package from a script without a file (``python -c``, ``python -``)
goes on to run the script: pyspark, imported by Great Expectations, would end such a process
with exit status 0 (quality/gx_import.py)."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = "import impact_warehouse.quality.checks.scales\nprint('the script went on')\n"


def test_python_c_goes_on_after_importing_the_gate() -> None:
    ran = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)

    assert ran.stdout.splitlines()[-1:] == ["the script went on"]


def test_a_script_piped_to_python_goes_on_too() -> None:
    ran = subprocess.run(
        [sys.executable, "-"], input=SCRIPT, capture_output=True, text=True, check=True
    )

    assert ran.stdout.splitlines()[-1:] == ["the script went on"]


def test_gx_analytics_stay_off() -> None:
    ran = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, impact_warehouse.quality; print(os.environ['GX_ANALYTICS_ENABLED'])",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if k != "GX_ANALYTICS_ENABLED"},
    )

    assert ran.stdout.splitlines()[-1:] == ["false"]
