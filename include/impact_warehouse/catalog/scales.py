"""Scales as data: each scale's values, labels and named share measures (METRICS.md "Scales").

``scales.csv`` declares how answers are read and their valid range, ``scale_labels.csv`` the
labelled values (any number), ``scale_measures.csv`` the named shares with a rule
(``value_numeric <operator> threshold``) and a direction. The statistics engine
(``transform/indicator_results.py``) computes every measure listed here, so a scale whose
rule cannot be read must stop the catalog check, not vanish from the results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from impact_warehouse.catalog.answer_text import as_the_warehouse_reads
from impact_warehouse.catalog.csv_rows import (
    Row,
    as_bool,
    check_member,
    optional_number,
    read_rows,
    whole_number,
)
from impact_warehouse.catalog.errors import check_new, required, required_code
from impact_warehouse.catalog.model import CatalogError, Scale

VALUE_TYPES = ("code", "integer", "decimal", "label", "text", "category")
# Value types whose answers are numbers (value_numeric): only these can carry a share rule.
# ``category`` answers are numbers too (their label's value code), but they describe who
# answered (covariates.csv), not an outcome: the engine measures nothing on them.
NUMERIC_VALUE_TYPES = ("code", "integer", "decimal")
OPERATORS = (">=", "<=", "=")
GOOD_DIRECTIONS = ("higher", "lower")
# Measure names the engine gives its own rows (fct_indicator_results.measure).
RESERVED_MEASURES = ("mean", "mean_shift")
_MEASURE_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_TRUE_FALSE = ("true", "false")


@dataclass(frozen=True)
class ScaleMeasure:
    scale_code: str
    measure_code: str
    operator: str
    threshold: float
    good_direction: str
    is_primary: bool
    follow_group_at_pre: bool
    label_ja: str
    label_en: str


@dataclass(frozen=True)
class ScaleCatalog:
    scales: dict[str, Scale]
    measures: dict[str, tuple[ScaleMeasure, ...]] = field(default_factory=dict)


def load_scales(seed_dir: Path) -> ScaleCatalog:
    """scales.csv, scale_labels.csv and scale_measures.csv, cross-checked."""
    rows = read_rows(seed_dir, "scales.csv")
    scale_codes = [required_code("scales.csv", line, row, "scale_code") for line, row in rows]

    labels: dict[str, dict[str, int]] = {}
    label_lines: dict[tuple[str, int], int] = {}
    # Labels as the warehouse matches answers to them (as_the_warehouse_reads): two labels
    # that read the same there would give one answer two rows.
    read_labels: dict[str, set[str]] = {}
    for line, row in read_rows(seed_dir, "scale_labels.csv"):
        check_member("scale_labels.csv", line, "scale_code", row["scale_code"], scale_codes)
        scale_labels = labels.setdefault(row["scale_code"], {})
        value = whole_number(row, "value_code")
        # An answer is read by its label: a label twice, or a value twice, would count some
        # answers as another value.
        read = as_the_warehouse_reads(row["label_ja"])
        seen_labels = read_labels.setdefault(row["scale_code"], set())
        check_new("scale_labels.csv", line, "label_ja", read, seen_labels)
        seen_labels.add(read)
        check_new("scale_labels.csv", line, "value_code", value, scale_labels.values())
        scale_labels[row["label_ja"]] = value
        label_lines[(row["scale_code"], value)] = line

    scales = {}
    for line, row in rows:
        code = required_code("scales.csv", line, row, "scale_code")
        check_member("scales.csv", line, "value_type", row["value_type"], VALUE_TYPES)
        check_new("scales.csv", line, "scale_code", code, scales)
        scales[code] = Scale(
            scale_code=code,
            value_type=row["value_type"],
            min_value=optional_number(row, "min_value"),
            max_value=optional_number(row, "max_value"),
            step=optional_number(row, "step"),
            labels=labels.get(code, {}),
        )
    for (scale_code, value), line in label_lines.items():
        _check_label_in_range(line, scales[scale_code], value)
    return ScaleCatalog(scales, _load_measures(seed_dir, scales))


def _check_label_in_range(line: int, scale: Scale, value: int) -> None:
    """A label's value must be one the scale can hold: the check would accept answers with
    it (as 7 on a 0–4 scale), and every share and mean would count them."""
    low, high = scale.min_value, scale.max_value
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"[{'' if low is None else f'{low:g}'}, {'' if high is None else f'{high:g}'}]"
        raise CatalogError(
            f"scale_labels.csv line {line}: value_code {value} is outside scale "
            f"{scale.scale_code} {bounds} (scales.csv min_value/max_value); correct one of the two"
        )


def _load_measures(seed_dir: Path, scales: dict[str, Scale]) -> dict[str, tuple[ScaleMeasure, ...]]:
    file_name = "scale_measures.csv"
    measures: dict[str, list[ScaleMeasure]] = {}
    first_line: dict[str, int] = {}
    for line, row in read_rows(seed_dir, file_name):
        scale_code, measure_code, operator, threshold = _checked_rule(file_name, line, row, scales)
        if any(m.measure_code == measure_code for m in measures.get(scale_code, [])):
            raise CatalogError(
                f"{file_name} line {line}: scale {scale_code} has measure {measure_code} twice; "
                "give each measure of a scale its own measure_code"
            )
        measure = ScaleMeasure(
            scale_code=scale_code,
            measure_code=measure_code,
            operator=operator,
            threshold=threshold,
            good_direction=row["good_direction"],
            is_primary=as_bool(row["is_primary"]),
            follow_group_at_pre=as_bool(row["follow_group_at_pre"]),
            label_ja=required(file_name, line, row, "label_ja"),
            label_en=row["label_en"].strip(),
        )
        primaries = [m for m in measures.get(scale_code, []) if m.is_primary]
        if measure.is_primary and primaries:
            raise CatalogError(
                f"{file_name} line {line}: scale {scale_code} has a second primary measure "
                f"({measure_code}; {primaries[0].measure_code} is primary already); set "
                "is_primary to true on exactly one measure of the scale"
            )
        measures.setdefault(scale_code, []).append(measure)
        first_line.setdefault(scale_code, line)
    for scale_code, listed in measures.items():
        if not any(measure.is_primary for measure in listed):
            raise CatalogError(
                f"{file_name} line {first_line[scale_code]}: scale {scale_code} has no primary "
                "measure; set is_primary to true on exactly one of its measures (the headline)"
            )
    return {scale_code: tuple(listed) for scale_code, listed in measures.items()}


def _checked_rule(
    file_name: str, line: int, row: Row, scales: dict[str, Scale]
) -> tuple[str, str, str, float]:
    """The row's scale, measure code, operator and threshold, each checked so the engine can
    apply the rule; the row's flags and direction are checked here too, before the measure is
    compared with the scale's other measures."""
    scale_code = required_code(file_name, line, row, "scale_code")
    check_member(file_name, line, "scale_code", scale_code, scales)
    if scales[scale_code].value_type not in NUMERIC_VALUE_TYPES:
        raise CatalogError(
            f"{file_name} line {line}: scale {scale_code} has value_type "
            f"{scales[scale_code].value_type!r}, whose answers are not numbers, so no share "
            f"rule can count them; remove the row or use a scale of type {NUMERIC_VALUE_TYPES}"
        )
    measure_code = required_code(file_name, line, row, "measure_code")
    if (
        not _MEASURE_CODE.match(measure_code)
        or measure_code in RESERVED_MEASURES
        or (measure_code.startswith("value_"))
    ):
        raise CatalogError(
            f"{file_name} line {line}: measure_code {measure_code!r} cannot be used; write "
            "lower-case letters, digits and _ (e.g. confident), not mean, mean_shift or "
            "value_…, which the engine uses for its own rows"
        )
    operator = row["operator"].strip()
    if operator not in OPERATORS:
        raise CatalogError(
            f"{file_name} line {line}: operator {operator!r} of measure {measure_code} is "
            f"not a rule the engine can apply; use one of {list(OPERATORS)} "
            "(the rule is value_numeric <operator> threshold)"
        )
    threshold = optional_number(row, "threshold")
    if threshold is None:
        raise CatalogError(
            f"{file_name} line {line}: threshold of measure {measure_code} is empty; write "
            "the number the answer is compared with (e.g. 6 for confident >= 6)"
        )
    _check_threshold_in_range(file_name, line, scales[scale_code], measure_code, threshold)
    check_member(file_name, line, "good_direction", row["good_direction"], GOOD_DIRECTIONS)
    for column in ("is_primary", "follow_group_at_pre"):
        check_member(file_name, line, column, row[column].strip().lower(), _TRUE_FALSE)
    return scale_code, measure_code, operator, threshold


def _check_threshold_in_range(
    file_name: str, line: int, scale: Scale, measure_code: str, threshold: float
) -> None:
    """A threshold outside the scale's values makes every answer meet the rule or none: the
    share would be published as 0% or 100% whatever people answered."""
    low, high = scale.min_value, scale.max_value
    if (low is None or threshold >= low) and (high is None or threshold <= high):
        return
    span = f"{_plain(low) if low is not None else '…'}–{_plain(high) if high is not None else '…'}"
    raise CatalogError(
        f"{file_name} line {line}: threshold {_plain(threshold)} of measure {measure_code} lies "
        f"outside scale {scale.scale_code}'s values {span} (scales.csv min_value/max_value), so "
        "the share would be 0% or 100% whatever people answer; write an answer value of the "
        "scale (e.g. 4 for agree >= 4 on a 1–5 scale)"
    )


def _plain(number: float) -> str:
    return f"{number:g}"
