"""The page's fixed sections say what the catalog has: its output indicators by their own
names, and a methods paragraph only for a table the report shows."""

from __future__ import annotations

import pandas as pd

from impact_warehouse.catalog import load_catalog
from impact_warehouse.report.cells import ReportTable
from impact_warehouse.report.page import build_sections, output_indicators_lead
from impact_warehouse.settings import PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / "examples" / "hataraku_women"


def _indicators(folder) -> pd.DataFrame:
    return pd.read_csv(folder / "indicators.csv", dtype=str)


def test_the_outputs_lead_names_the_example_output_indicators() -> None:
    lead = output_indicators_lead(_indicators(EXAMPLE))
    assert lead == (
        "アウトプット指標：Ⓐ就労支援プログラムの提供（提供したプログラムとコホートの数）、"
        "Ⓑ参加機会の提供（参加者数(就業状況別)）。"
    )


def test_a_catalog_without_output_indicators_gets_no_lead() -> None:
    indicators = _indicators(EXAMPLE)
    assert output_indicators_lead(indicators[indicators.indicator_type != "output"]) == ""


def _methods_titles(tables: list[ReportTable]) -> list[str]:
    organisation = load_catalog(EXAMPLE).organisation
    sections = build_sections(
        [], [], tables, [], 5, organisation, opening_leads={"outputs": "lead"}
    )
    (methods,) = [section for section in sections if section.anchor == "methods"]
    (outputs,) = [section for section in sections if section.anchor == "outputs"]
    assert outputs.lead == "lead"
    return [entry["title"] for entry in methods.methods]


def test_the_time_use_paragraph_only_with_a_time_use_table() -> None:
    assert "家事関連時間" not in _methods_titles([])
    time_use = ReportTable(key="time_use", title_ja="t", columns=(), rows=(), section="s")
    assert "家事関連時間" in _methods_titles([time_use])
