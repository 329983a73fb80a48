"""Read one raw answer against its item's scale (METRICS.md: Scales).

Full-width digits and surrounding spaces are normalised (NFKC) *before* deciding whether an
answer is valid, never after; an answer outside its scale is not coerced, it is reported.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from impact_warehouse.catalog.answer_text import as_the_warehouse_reads
from impact_warehouse.catalog.model import Scale


@dataclass(frozen=True)
class AnswerCheck:
    value: float | str | None  # numeric code/value, or text for choice/text scales
    reason_code: str | None  # None when valid; else a quarantine reason code
    detail: str = ""
    normalised: bool = False  # NFKC or trimming changed the raw text


def check_answer(scale: Scale, raw: str) -> AnswerCheck:
    text = unicodedata.normalize("NFKC", raw).strip()
    normalised = text != raw
    if scale.value_type in ("text", "label"):
        return AnswerCheck(text, None, normalised=normalised)
    if scale.labels:
        read = as_the_warehouse_reads(raw)
        for label, value in scale.labels.items():
            if as_the_warehouse_reads(label) == read:
                return AnswerCheck(float(value), None, normalised=read != raw)
        return AnswerCheck(
            None, "unknown_label", f"{read!r} is not one of {list(scale.labels)}", read != raw
        )
    try:
        number = Decimal(text)
    except InvalidOperation:
        return AnswerCheck(None, "unparseable_value", f"{text!r} is not a number", normalised)
    if not number.is_finite():
        return AnswerCheck(None, "unparseable_value", f"{text!r} is not a number", normalised)
    low, high = scale.min_value, scale.max_value
    if (low is not None and number < Decimal(str(low))) or (
        high is not None and number > Decimal(str(high))
    ):
        return AnswerCheck(
            None,
            "out_of_scale",
            f"{text} is outside {scale.scale_code} [{low:g}, {high:g}]",
            normalised,
        )
    if scale.step is not None and number % Decimal(str(scale.step)) != 0:
        return AnswerCheck(
            None,
            "out_of_scale",
            f"{text} is not a step of {scale.step:g} ({scale.scale_code})",
            normalised,
        )
    return AnswerCheck(float(number), None, normalised=normalised)
