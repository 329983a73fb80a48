"""Benchmark steps run in a fresh interpreter and hand back one JSON result."""

from __future__ import annotations

import pytest

from impact_warehouse.benchmarks.child import StepFailed, run_step


def test_a_step_importing_great_expectations_returns_its_result() -> None:
    """GX imports pyspark's Spark Connect module, which ends a `python -c` process with exit 0
    (it takes a main module without a file for a doctest run): every gate step printed
    nothing, and the end-to-end benchmark failed on an empty line."""
    result = run_step("import great_expectations\nRESULT = {'imported': True}")
    assert result["imported"] is True
    assert {"peak_mib", "wall_seconds"} <= result.keys()


def test_a_step_that_ends_without_its_result_is_a_clear_failure() -> None:
    with pytest.raises(StepFailed, match="no result printed"):
        run_step("import sys\nsys.exit(0)\nRESULT = {}")
