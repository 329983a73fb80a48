"""What a wave asks, and how an answer code is written on its form or in the panel file."""

from __future__ import annotations

from impact_warehouse.catalog import Catalog, Item, Wave

NAME_ITEM = "respondent_name"
PHONE_ITEM = "respondent_phone"


def items_asked(catalog: Catalog, wave: Wave) -> list[Item]:
    """Catalog items of the wave's type that have a wording in its fiscal year, in form order.

    items.csv lists items in display order and the catalog keeps that order.
    """
    return [
        item
        for item in catalog.items.values()
        if wave.wave_type in item.asked_in and item.wording_for(wave.fiscal_year) is not None
    ]


def answer_text(catalog: Catalog, item: Item, code: float) -> str:
    """The text a respondent sees or types for an answer code: a label, or the number."""
    scale = catalog.scales[item.scale_code]
    if scale.labels:
        return label_for(catalog, item.scale_code, int(code))
    return format_number(code)


def label_for(catalog: Catalog, scale_code: str, code: int) -> str:
    for label, value in catalog.scales[scale_code].labels.items():
        if value == code:
            return label
    raise ValueError(f"scale {scale_code} has no label for code {code} (scale_labels.csv)")


def labels_high_to_low(catalog: Catalog, scale_code: str) -> list[str]:
    """Answer options in form order: the most positive first (そう思う …, はい / いいえ)."""
    labels = catalog.scales[scale_code].labels
    return sorted(labels, key=labels.__getitem__, reverse=True)


def format_number(value: float) -> str:
    """Numbers as people type them: "7", "2.5", "0.25" (no trailing zeros)."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
