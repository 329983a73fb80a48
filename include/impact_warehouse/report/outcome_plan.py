"""Which outcome sections the report has, in which order, and the rows each one shows.

Declared over the catalog, never over one organisation's indicators:
- one section per outcome indicator type (indicators.csv ``indicator_type``), titled from the
  symbols of its indicators (短期アウトカム ④〜⑩); its items at their waves, drawn as
  distributions, or against the comparison group when the items are also asked of it;
- a pre/post section when items on a numeric scale are asked at ``pre`` and ``post``;
- a time-use section when there are items on the ``hours`` scale;
- one section per item section outside the logic model (items.csv ``section`` of items with
  no indicator, e.g. the mommy-track items), titled from item_sections.csv.
A section exists because the catalog has such items; a year without data shows it empty.
The rows come from ``reporting.rpt_outcome_results`` as published: nothing is recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from impact_warehouse.report.data import ReportData
from impact_warehouse.report.i18n import s
from impact_warehouse.report.labels import (
    comparison_ja,
    indicator_symbols,
    indicator_type_ja,
    wave_type_ja,
)

SectionKind = Literal["distribution", "comparison", "pre_post", "time_use"]
NUMERIC_VALUE_TYPES = ("code", "integer", "decimal")
HOURS_SCALE = "hours"


@dataclass(frozen=True)
class OutcomeSection:
    anchor: str
    title: str
    kind: SectionKind
    lead: str = ""
    # The published rows this section shows (every program and the pooled 'all').
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    # Chart and table ids are built from this (short_term → chart-short-term-I04).
    slug: str = ""


def _asked_in(data: ReportData) -> dict[str, set[str]]:
    return {
        str(row.item_code): set(str(row.asked_in).split("|"))
        for row in data.items.itertuples(index=False)
    }


def pre_post_items(data: ReportData) -> list[str]:
    """Items on a numeric scale asked both before and after (the engine pairs these)."""
    value_types = dict(zip(data.scales.scale_code, data.scales.value_type, strict=True))
    asked = _asked_in(data)
    return [
        str(row.item_code)
        for row in data.items.itertuples(index=False)
        if {"pre", "post"} <= asked[str(row.item_code)]
        and value_types.get(row.scale_code) in NUMERIC_VALUE_TYPES
        and row.scale_code != HOURS_SCALE
    ]


def _outcome_types(data: ReportData) -> list[str]:
    """Outcome indicator types in catalog order (by their first indicator code)."""
    outcomes = data.indicators[data.indicators.indicator_type != "output"]
    ordered = outcomes.sort_values("indicator_code")
    return list(dict.fromkeys(ordered.indicator_type))


def _type_rows(data: ReportData, indicator_type: str, paired: list[str]) -> pd.DataFrame:
    rows = data.outcome_results
    return rows[
        (rows.indicator_type == indicator_type)
        & (rows.population == "respondents")
        & rows.measure_kind.isin(["share", "distribution"])
        & (rows.wave_type != "comparison")
        # An item asked before and after is shown in the pre/post section at those waves.
        & ~(rows.item_code.isin(paired) & rows.wave_type.isin(["pre", "post"]))
        & (rows.scale_code != HOURS_SCALE)
    ]


def _has_comparison(data: ReportData, links: pd.DataFrame) -> bool:
    """Whether these (item, wave) pairs meet the comparison group: the engine compares the
    follow-up answers of items also asked of the comparison wave."""
    asked = _asked_in(data)
    return any(
        row.wave_type == "followup" and "comparison" in asked.get(str(row.item_code), set())
        for row in links.itertuples(index=False)
    )


def _type_links(data: ReportData, indicator_type: str, paired: list[str]) -> pd.DataFrame:
    """(item, wave) of this type's indicators that the type's section shows."""
    codes = data.indicators[data.indicators.indicator_type == indicator_type].indicator_code
    links = data.item_indicators[data.item_indicators.indicator_code.isin(codes)]
    links = links[links.wave_type != "comparison"]
    links = links[~(links.item_code.isin(paired) & links.wave_type.isin(["pre", "post"]))]
    hours = data.items[data.items.scale_code == HOURS_SCALE].item_code
    return links[~links.item_code.isin(hours)]


def type_section(data: ReportData, indicator_type: str, paired: list[str]) -> OutcomeSection:
    links = _type_links(data, indicator_type, paired)
    codes = data.indicators[data.indicators.indicator_type == indicator_type].indicator_code
    title = f"{indicator_type_ja(indicator_type)} {indicator_symbols(data, codes)}"
    rows = _type_rows(data, indicator_type, paired)
    waves = list(dict.fromkeys(rows.wave_type)) or ["post"]
    wave_names = s("name_separator").join(wave_type_ja(data, wave) for wave in waves)
    if _has_comparison(data, links):
        return OutcomeSection(
            anchor=indicator_type,
            title=s("section_compared", title=title, comparison=comparison_ja(data)),
            kind="comparison",
            lead=s(
                "lead_compared",
                waves=wave_names,
                comparison_wave=wave_type_ja(data, "comparison"),
            ),
            rows=rows[rows.measure_kind == "share"],
            slug=indicator_type,
        )
    return OutcomeSection(
        anchor=indicator_type,
        title=title,
        kind="distribution",
        lead=s("lead_distribution", waves=wave_names),
        rows=rows,
        slug=indicator_type,
    )


def pre_post_section(data: ReportData, paired: list[str]) -> OutcomeSection:
    rows = data.outcome_results
    rows = rows[rows.item_code.isin(paired) & rows.wave_type.isin(["pre", "post"])]
    links = data.item_indicators[
        data.item_indicators.item_code.isin(paired)
        & data.item_indicators.wave_type.isin(["pre", "post"])
    ]
    items = data.items[data.items.item_code.isin(paired)]
    scales = data.scales[data.scales.scale_code.isin(items.scale_code)]
    categories = {
        int(row.max_value - row.min_value) // int(row.step or 1) + 1
        for row in scales.itertuples(index=False)
        if pd.notna(row.max_value) and pd.notna(row.min_value)
    }
    kind = s("scale_points", count=categories.pop()) if len(categories) == 1 else ""
    follow = data.scale_measures[
        data.scale_measures.scale_code.isin(items.scale_code)
        & data.scale_measures.follow_group_at_pre.astype(bool)
    ]
    groups = "".join(s("follow_group", label=label) for label in follow.label_ja)
    return OutcomeSection(
        anchor="pre_post",
        title=s(
            "section_pre_post", symbols=indicator_symbols(data, links.indicator_code), kind=kind
        ).strip(),
        kind="pre_post",
        lead=s(
            "lead_pre_post",
            pre=wave_type_ja(data, "pre"),
            post=wave_type_ja(data, "post"),
            groups=groups,
        ),
        rows=rows,
        slug="pre-post",
    )


def time_use_section(data: ReportData) -> OutcomeSection:
    hours = data.items[data.items.scale_code == HOURS_SCALE].item_code
    links = data.item_indicators[data.item_indicators.item_code.isin(hours)]
    codes = list(dict.fromkeys(links.indicator_code))
    named = data.indicators[data.indicators.indicator_code.isin(codes)]
    content = s("name_separator").join(named.sort_values("indicator_code").content_ja)
    prefix = (
        s("time_use_prefix", symbols=indicator_symbols(data, codes), content=content).lstrip()
        if codes
        else ""
    )
    return OutcomeSection(
        anchor="time_use", title=s("section_time_use", prefix=prefix), kind="time_use"
    )


def item_sections(data: ReportData) -> list[OutcomeSection]:
    """Sections of items outside the logic model, in item_sections.csv order."""
    rows = data.outcome_results
    rows = rows[
        rows.indicator_code.isna()
        & (rows.population == "respondents")
        & rows.measure_kind.isin(["share", "distribution"])
        & (rows.wave_type != "comparison")
    ]
    measured = data.items[
        ~data.items.item_code.isin(data.item_indicators.item_code)
        & data.items.scale_code.isin(
            data.scales[data.scales.value_type.isin(NUMERIC_VALUE_TYPES)].scale_code
        )
        & (data.items.scale_code != HOURS_SCALE)
        & ~data.items.item_code.isin(data.consent_items.item_code)
    ]
    titles = data.item_sections.set_index("section_code")
    order = {code: index for index, code in enumerate(titles.index)}
    codes = sorted(dict.fromkeys(measured.section), key=lambda code: order.get(code, len(order)))
    sections = []
    for code in codes:
        items = list(measured[measured.section == code].item_code)
        section_rows = rows[rows.item_code.isin(items)]
        asked = _asked_in(data)
        links = pd.DataFrame(
            [(item, wave) for item in items for wave in sorted(asked[item])],
            columns=["item_code", "wave_type"],
        )
        comparison = _has_comparison(data, links)
        known = code in titles.index
        sections.append(
            OutcomeSection(
                anchor=code,
                title=str(titles.loc[code].section_ja) if known else code,
                kind="comparison" if comparison else "distribution",
                lead=str(titles.loc[code].lead_ja or "") if known else "",
                rows=section_rows[section_rows.measure_kind == "share"]
                if comparison
                else section_rows,
                slug=code,
            )
        )
    return sections


def plan_outcome_sections(data: ReportData) -> list[OutcomeSection]:
    """The outcome sections in report order: each indicator type with its pre/post and
    time-use sections after it, then the item sections outside the logic model."""
    paired = pre_post_items(data)
    hours = set(data.items[data.items.scale_code == HOURS_SCALE].item_code)
    links = data.item_indicators
    type_of = dict(zip(data.indicators.indicator_code, data.indicators.indicator_type, strict=True))
    pre_post_type = {
        type_of.get(code) for code in links[links.item_code.isin(paired)].indicator_code
    }
    time_use_type = {
        type_of.get(code) for code in links[links.item_code.isin(hours)].indicator_code
    }
    sections: list[OutcomeSection] = []
    for indicator_type in _outcome_types(data):
        sections.append(type_section(data, indicator_type, paired))
        if paired and indicator_type in pre_post_type:
            sections.append(pre_post_section(data, paired))
            pre_post_type = set()
        if hours and indicator_type in time_use_type:
            sections.append(time_use_section(data))
            time_use_type = set()
    if paired and not any(section.kind == "pre_post" for section in sections):
        sections.append(pre_post_section(data, paired))
    if hours and not any(section.kind == "time_use" for section in sections):
        sections.append(time_use_section(data))
    return sections + item_sections(data)
