"""The methods section: METRICS.md in plain Japanese (``methods_ja.yaml``), with the release's
k, the organisation's words and the catalog's own scales and measures filled in, so another
organisation's report describes its scales, not Mamabono's."""

from __future__ import annotations

import re
from importlib import resources

import pandas as pd
import yaml

from impact_warehouse.catalog import Organisation
from impact_warehouse.report.data import ReportData

_OPERATOR_JA = {">=": "以上", "<=": "以下", "=": ""}
# A measure label names the measure and often repeats its rule in brackets ("自信がある
# （6点以上）"): the sentence states the rule from the numbers, so only the name is kept.
_TRAILING_RULE = re.compile(r"\s*[（(][^（）()]*[）)]$")


def methods_entries(k: int, organisation: Organisation, scale_rules: str) -> list[dict[str, str]]:
    """The methods text with the release's k, the organisation's words and the scale rules."""
    text = resources.files("impact_warehouse.report").joinpath("methods_ja.yaml").read_text("utf-8")
    description = organisation.comparison_group_description_ja
    values = {
        "{k}": str(k),
        "{comparison_group}": organisation.comparison_group_label_ja,
        # "…別の人たちで、<who>です。" or, with no description, "…別の人たちです。"
        "{comparison_group_who}": f"で、{description}" if description else "",
        "{scale_rules}": scale_rules,
    }
    entries = []
    for entry in yaml.safe_load(text):
        filled = dict(entry)
        for placeholder, value in values.items():
            filled["title"] = filled["title"].replace(placeholder, value)
            filled["text"] = filled["text"].replace(placeholder, value)
        entries.append(filled)
    return entries


def scale_rules_ja(data: ReportData) -> str:
    """One sentence per scale that an item uses and that has measures, in item order, e.g.
    「10段階（1 = 最も不安が強い）の設問：「不安がある」= 5以下（少ないほど良い）、…。」"""
    first_use = data.items.groupby("scale_code")["display_order"].min().sort_values()
    scales = data.scales.set_index("scale_code")
    sentences = []
    for scale_code in first_use.index:
        measures = data.scale_measures[data.scale_measures["scale_code"] == scale_code]
        if measures.empty or scale_code not in scales.index:
            continue
        labels = data.scale_labels[data.scale_labels["scale_code"] == scale_code]
        phrases = "、".join(_measure_phrase(measure, labels) for measure in measures.itertuples())
        sentences.append(f"{scales.at[scale_code, 'label_ja']}の設問：{phrases}。")
    return "".join(sentences)


def _measure_phrase(measure: object, labels: pd.DataFrame) -> str:
    name = _TRAILING_RULE.sub("", str(measure.label_ja)).strip("「」")
    threshold = float(measure.threshold)
    # METRICS.md "Labels of direction": a share where less is better says so.
    note = "（少ないほど良い）" if measure.good_direction == "lower" else ""
    if labels.empty:
        return f"「{name}」= {threshold:g}{_OPERATOR_JA[measure.operator]}{note}"
    values = pd.to_numeric(labels["value_code"])
    meets = {
        ">=": values >= threshold,
        "<=": values <= threshold,
        "=": values == threshold,
    }[measure.operator]
    answers = "".join(f"「{label}」" for label in labels.loc[meets, "label_ja"])
    return (answers if answers == f"「{name}」" else f"「{name}」= {answers}") + note
