"""Quality gate: GX Core suites over the audit warehouse before anything is published.

Great Expectations (about 2 s of imports) is loaded by the modules that validate with it, each
through :mod:`.gx_import` first, not by the package: a process that masks a build
(:mod:`.privacy_masking`) or reads a gate's results (:mod:`.model`) while the gate itself runs
in a worker process (pipeline/gate_worker.py) does not pay for it."""

from __future__ import annotations

from typing import Any

__all__ = ["Finding", "GateResult", "run_gate"]


def __getattr__(name: str) -> Any:
    """``run_gate``, ``Finding`` and ``GateResult``, imported when first asked for."""
    if name == "run_gate":
        from impact_warehouse.quality.gate import run_gate

        return run_gate
    if name in {"Finding", "GateResult"}:
        from impact_warehouse.quality import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
