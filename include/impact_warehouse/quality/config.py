"""Gate configuration: ``expectations/gate.yml`` plus the dbt var ``suppression_k``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from impact_warehouse.settings import PROJECT_ROOT

GATE_CONFIG_PATH = PROJECT_ROOT / "expectations" / "gate.yml"
DBT_PROJECT_PATH = PROJECT_ROOT / "dbt_project" / "dbt_project.yml"
DEFAULT_SUPPRESSION_K = 5


def dbt_suppression_k(dbt_project: Path = DBT_PROJECT_PATH) -> int:
    """The default of the dbt var ``suppression_k`` (the release's k unless overridden)."""
    try:
        project = yaml.safe_load(dbt_project.read_text(encoding="utf-8")) or {}
    except OSError:
        return DEFAULT_SUPPRESSION_K
    return int((project.get("vars") or {}).get("suppression_k", DEFAULT_SUPPRESSION_K))


def load_gate_config(path: Path = GATE_CONFIG_PATH) -> dict[str, Any]:
    """Per-check settings keyed by check name; suppression k resolved."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    checks: dict[str, Any] = dict(raw.get("checks") or {})
    suppression = dict(checks.get("suppression") or {})
    if suppression.get("k") is None:
        suppression["k"] = dbt_suppression_k()
    checks["suppression"] = suppression
    return checks
