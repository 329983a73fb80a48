"""``dbt build`` passes on a catalog whose codes are not Mamabono's (issue 13): no model test
lists Mamabono's program groups, indicators, statuses or support-measure types, and the
program grouping comes from programs.csv, not from a CASE on Mamabono's codes."""

from __future__ import annotations

import json
from typing import Any

import duckdb
import pytest

from other_catalog import RENAMES

# A whole second build of the project with another catalog: the end-to-end tier.
pytestmark = pytest.mark.slow


def test_build_and_every_data_test_pass(other_catalog_warehouse: Any) -> None:
    statuses = other_catalog_warehouse.run.node_statuses
    tests = {node: status for node, status in statuses.items() if node.startswith("test.")}
    assert tests, "the build ran no data tests"
    assert {status for status in tests.values()} <= {"pass"}, {
        node: status for node, status in tests.items() if status != "pass"
    }
    # relationships tests to the seeds replaced the lists of Mamabono's codes, and they ran
    manifest = json.loads((other_catalog_warehouse.run.target_path / "manifest.json").read_text())
    seeds_checked = {
        (node["attached_node"].split(".")[-1], parent)
        for unique_id, node in manifest["nodes"].items()
        if unique_id in tests
        for parent in _parents_checked(node.get("test_metadata", {}))
    }
    assert {
        ("dim_programs", "ref('programs')"),
        ("rpt_outputs_employment", "ref('programs')"),
        ("rpt_outputs_employment", "ref('employment_statuses')"),
        ("rpt_support_measures", "ref('support_measure_types')"),
        ("rpt_summary", "ref('indicators')"),
        ("fct_answers", "ref('scales')"),
    } <= seeds_checked


def _parents_checked(test: dict[str, Any]) -> list[str]:
    """The parents a relationships test checks: one, or those of a model's column_rules or
    relationships_columns."""
    if test.get("name") == "relationships":
        return [test["kwargs"]["to"]]
    if test.get("name") in ("column_rules", "relationships_columns"):
        return [entry["to"] for entry in test["kwargs"].get("relationships") or []]
    return []


def test_groups_and_codes_come_from_the_seeds(other_catalog_warehouse: Any) -> None:
    with duckdb.connect(str(other_catalog_warehouse.database), read_only=True) as con:
        groups = dict(
            con.execute(
                "select program_code, program_group_code from marts.dim_programs"
            ).fetchall()
        )
        employment = con.execute(
            "select distinct program_group_code, employment_status_code "
            "from marts.fct_outputs_employment"
        ).fetchall()
        indicators = {
            code
            for (code,) in con.execute(
                "select distinct indicator_code from marts.fct_answers"
            ).fetchall()
        }
    assert groups == {"mamabono": "lab", "next_research": "returners", "npo_mentoring": "returners"}
    assert {group for group, _ in employment} == {"lab", "returners", "all"}
    assert {status for _, status in employment} <= set(RENAMES["employment_status_code"].values())
    assert indicators - {None} <= set(RENAMES["indicator_code"].values())
    assert "KPI-7" in indicators
