"""What a profile respondent answers: weighted draws per item, wave type and fiscal year."""

from __future__ import annotations

import random

from impact_warehouse.catalog import Catalog, Item, Wave
from impact_warehouse.demo.generator.instrument import NAME_ITEM, answer_text, items_asked
from impact_warehouse.demo.generator.people import Person
from impact_warehouse.demo.generic.profile import DemoProfile

BLANK_SHARE = 0.03
FREE_TEXT_SHARE = 0.3
# Plain feedback with no organisation or program name, so any catalog can use it.
FREE_TEXTS = (
    "同じ立場の人と話せて心強かったです。",
    "具体的な手順がわかり、次に何をすればよいか見えてきました。",
    "オンラインでも参加しやすかったです。",
    "もう少し回数があるとうれしいです。",
    "家族の理解を得るきっかけになりました。",
)


def draw_answers(
    catalog: Catalog,
    profile: DemoProfile,
    wave: Wave,
    person: Person | None,
    rng: random.Random,
) -> dict[str, str]:
    """item_code → answer text for one respondent; a blank question is left out."""
    answers: dict[str, str] = {}
    for item in items_asked(catalog, wave):
        text = _answer(catalog, profile, wave, item, person, rng)
        if text is not None and rng.random() >= BLANK_SHARE:
            answers[item.item_code] = text
    return answers


def _answer(
    catalog: Catalog,
    profile: DemoProfile,
    wave: Wave,
    item: Item,
    person: Person | None,
    rng: random.Random,
) -> str | None:
    if item.item_code == NAME_ITEM:
        return rng.choice(person.name_forms) if person else None
    if item.is_personal_data:
        return None
    weights = profile.weights(item.item_code, wave.wave_type, wave.fiscal_year) or _uniform(
        catalog, item
    )
    if not weights:
        return rng.choice(FREE_TEXTS) if rng.random() < FREE_TEXT_SHARE else None
    value = rng.choices(list(weights), list(weights.values()))[0]
    return answer_text(catalog, item, value)


def _uniform(catalog: Catalog, item: Item) -> dict[float, float]:
    scale = catalog.scales[item.scale_code]
    if scale.labels:
        return dict.fromkeys(map(float, scale.labels.values()), 1.0)
    if (
        scale.value_type == "integer"
        and scale.min_value is not None
        and scale.max_value is not None
    ):
        return dict.fromkeys(map(float, range(int(scale.min_value), int(scale.max_value) + 1)), 1.0)
    return {}
