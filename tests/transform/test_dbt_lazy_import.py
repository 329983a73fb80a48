"""dbt is imported when a build runs, not when a module that can start one is imported: it
takes about 1.6 s, and the CLI, the publishing and the report only need the runner's names.
Great Expectations (about 3.6 s) is imported by the gate alone: the build job, the CLI, the
publishing and the report never load it."""

from __future__ import annotations

import subprocess
import sys

MODULES = (
    "impact_warehouse.transform.dbt_runner",
    "impact_warehouse.cli",
    "impact_warehouse.publish",
    "impact_warehouse.report",
    "impact_warehouse.pipeline.release",
)

# One process for all (each start-up imports pandas and more): every module is imported in
# turn and the dbt and Great Expectations modules loaded so far are printed after it.
SCRIPT = """
import importlib, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("dbt", "great_expectations"))
    print(name, loaded[:3])
"""


def test_importing_does_not_import_dbt_or_great_expectations() -> None:
    printed = subprocess.run(
        [sys.executable, "-c", SCRIPT, *MODULES],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()

    # Whatever a library prints on import comes before; the last lines are the script's.
    assert printed[-len(MODULES) :] == [f"{module} []" for module in MODULES]
