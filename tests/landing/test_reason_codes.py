"""The dbt quarantine model accepts exactly the reason codes landing can write."""

from __future__ import annotations

from pathlib import Path

import yaml

from impact_warehouse.landing.quarantine import REASONS
from impact_warehouse.settings import PROJECT_ROOT

MODELS_YAML = (
    PROJECT_ROOT / "dbt_project" / "models" / "staging" / "quarantine" / "_quarantine__models.yml"
)


def _accepted_reason_codes(path: Path) -> set[str]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    (model,) = document["models"]
    (rules,) = [test["column_rules"] for test in model["data_tests"] if "column_rules" in test]
    (accepted,) = [
        entry for entry in rules["arguments"]["accepted_values"] if entry["column"] == "reason_code"
    ]
    return set(accepted["values"])


def test_dbt_accepts_every_reason_landing_writes_and_no_other() -> None:
    assert _accepted_reason_codes(MODELS_YAML) == set(REASONS)


def test_readme_explains_every_reason_code() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert [code for code in REASONS if f"| `{code}` |" not in readme] == []
