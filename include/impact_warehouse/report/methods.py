"""The methods section: METRICS.md in plain Japanese (``methods_ja.yaml``) or English
(``methods_en.yaml``, the same keys), with the release's k, the organisation's words and the
catalog's own scales and measures filled in, so another organisation's report describes its
scales, not Mamabono's."""

from __future__ import annotations

import re
from importlib import resources

import pandas as pd
import yaml

from impact_warehouse.catalog import Organisation
from impact_warehouse.report.data import ReportData
from impact_warehouse.report.i18n import language, s

_OPERATOR_KEYS = {">=": "operator_ge", "<=": "operator_le", "=": "operator_eq"}
# A measure label names the measure and often repeats its rule in brackets ("自信がある
# （6点以上）"): the sentence states the rule from the numbers, so only the name is kept.
_TRAILING_RULE = re.compile(r"\s*[（(][^（）()]*[）)]$")


def methods_entries(k: int, organisation: Organisation, scale_rules: str) -> list[dict[str, str]]:
    """The methods text with the release's k, the organisation's words and the scale rules."""
    file_name = f"methods_{language()}.yaml"
    text = resources.files("impact_warehouse.report").joinpath(file_name).read_text("utf-8")
    description = organisation.comparison_group_description_ja
    values = {
        "{k}": str(k),
        "{comparison_group}": organisation.comparison_group_label_ja,
        # "…別の人たちで、<who>です。" or, with no description, "…別の人たちです。"
        "{comparison_group_who}": s("comparison_group_who", description=description)
        if description
        else "",
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
        phrases = s("list_separator").join(
            _measure_phrase(measure, labels) for measure in measures.itertuples()
        )
        sentences.append(s("scale_rule", scale=scales.at[scale_code, "label_ja"], phrases=phrases))
    return "".join(sentences)


def _measure_phrase(measure: object, labels: pd.DataFrame) -> str:
    name = _TRAILING_RULE.sub("", str(measure.label_ja)).strip("「」")
    threshold = float(measure.threshold)
    # METRICS.md "Labels of direction": a share where less is better says so.
    note = s("lower_is_better_short") if measure.good_direction == "lower" else ""
    if labels.empty:
        rule = f"{threshold:g}{s(_OPERATOR_KEYS[measure.operator])}"
        return s("measure_rule", name=name, answers=rule) + note
    values = pd.to_numeric(labels["value_code"])
    meets = {
        ">=": values >= threshold,
        "<=": values <= threshold,
        "=": values == threshold,
    }[measure.operator]
    answers = s("quote_separator").join(
        s("quoted", text=label) for label in labels.loc[meets, "label_ja"]
    )
    quoted_name = s("quoted", text=name)
    return (
        answers if answers == quoted_name else s("measure_rule", name=name, answers=answers)
    ) + note
