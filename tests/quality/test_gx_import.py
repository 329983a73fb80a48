"""Importing the quality package from a script without a file (``python -c``) goes on to run
the script: pyspark, imported by Great Expectations, would end such a process with exit
status 0 (quality/gx_import.py). GX's analytics stay off."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = (
    "import os, impact_warehouse.quality.checks.scales\n"
    "print('the script went on, analytics', os.environ['GX_ANALYTICS_ENABLED'])\n"
)
WENT_ON = ["the script went on, analytics false"]
# Analytics off by the package, not by whoever started the test run.
ENVIRONMENT = {name: value for name, value in os.environ.items() if name != "GX_ANALYTICS_ENABLED"}


def test_python_c_goes_on_after_importing_the_gate() -> None:
    ran = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        check=True,
        env=ENVIRONMENT,
    )

    assert ran.stdout.splitlines()[-1:] == WENT_ON
