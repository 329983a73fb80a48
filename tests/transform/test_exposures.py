"""The dbt exposures list exactly the tables their readers use, so lineage never hides one."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from impact_warehouse.report.data import _OPTIONAL_TABLES
from impact_warehouse.settings import PROJECT_ROOT

EXPOSURES = PROJECT_ROOT / "dbt_project" / "models" / "_exposures.yml"
TABLE = re.compile(
    r"\b(?:from|join)\s+(?:catalog|marts|reporting)\.([a-z][a-z0-9_]*[a-z0-9])\b", re.IGNORECASE
)
# A table named by a constant ("rpt_voice_quotes") and read through it.
TABLE_CONSTANT = re.compile(r"\"(rpt_[a-z0-9_]+)\"")
REF = re.compile(r"ref\('([a-z0-9_]+)'\)")


def tables_read_by(files: list[Path]) -> set[str]:
    texts = [path.read_text(encoding="utf-8") for path in files]
    return {
        name for text in texts for name in (*TABLE.findall(text), *TABLE_CONSTANT.findall(text))
    }


def exposure_refs(name: str) -> set[str]:
    exposures = yaml.safe_load(EXPOSURES.read_text(encoding="utf-8"))["exposures"]
    (exposure,) = [entry for entry in exposures if entry["name"] == name]
    return {REF.fullmatch(ref).group(1) for ref in exposure["depends_on"]}


def test_the_report_exposure_lists_every_table_the_report_reads() -> None:
    report_code = sorted((PROJECT_ROOT / "include" / "impact_warehouse" / "report").rglob("*.py"))
    # A seed an organisation may leave out cannot be a dependency: dbt refuses an exposure on
    # a node that does not exist, and the example organisation has no item_sections.csv.
    optional = {table.split(".")[1] for table, _columns in _OPTIONAL_TABLES.values()}
    assert exposure_refs("annual_impact_report") == tables_read_by(report_code) - optional


def test_the_analyst_exposure_lists_every_table_the_example_queries_read() -> None:
    queries = sorted((PROJECT_ROOT / "include" / "analyst_queries").glob("*.sql"))
    assert exposure_refs("analyst_example_queries") == tables_read_by(queries)
