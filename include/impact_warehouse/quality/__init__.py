"""Quality gate: GX Core suites over the audit warehouse before anything is published."""

# First, before any module of this package imports Great Expectations (gx_import says why).
from impact_warehouse.quality.gx_import import import_great_expectations

import_great_expectations()

from impact_warehouse.quality.gate import run_gate  # noqa: E402
from impact_warehouse.quality.model import Finding, GateResult  # noqa: E402

__all__ = ["Finding", "GateResult", "run_gate"]
