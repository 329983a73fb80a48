"""Quality gate: GX Core suites over the audit warehouse before anything is published."""

from impact_warehouse.quality.gate import run_gate
from impact_warehouse.quality.model import Finding, GateResult

__all__ = ["Finding", "GateResult", "run_gate"]
