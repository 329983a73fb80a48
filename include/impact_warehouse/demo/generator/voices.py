"""Demo voices: free-text answers that fall into the codebook's categories, and the answer
to the quote-consent item (issue 14).

Both come from a stream of their own (``rng_for(seed, "voices", wave)``), drawn after a
wave's plan is made: the plan's own stream is never touched, so every figure of the demo
(FY2025's included) stays what it was. Which item is a consent item is data: the
``consent_item_code`` of voice_codebook.csv (catalog/voices.py).

The free texts are dealt from a deck that favours the first categories, so a wave of ~15
answers has some categories of at least k = 5 respondents (shown in the report) and some
below (hidden), as the rules need to be seen working.
"""

from __future__ import annotations

import random

from impact_warehouse.catalog import Catalog
from impact_warehouse.demo.generator import free_text
from impact_warehouse.demo.generator.answers import WavePlan
from impact_warehouse.demo.generator.instrument import items_asked, labels_high_to_low
from impact_warehouse.demo.generator.seeding import rng_for

# Free-text item → its answers by category, and the order categories are dealt in.
TEXTS_BY_ITEM: dict[str, dict[str, tuple[str, ...]]] = {
    "challenge_at_work_example": free_text.WORK_CHALLENGES_BY_CATEGORY,
    "challenge_in_private_example": free_text.PRIVATE_CHALLENGES_BY_CATEGORY,
}
DECKS: dict[str, tuple[str, ...]] = {
    "challenge_at_work_example": (
        "new_role", "learning", "leadership", "new_role", "learning", "leadership",
        "new_role", "learning", "new_role", "learning", "leadership", "new_role",
        "learning", "reemployment", "side_business", "attitude",
    ),
    "challenge_in_private_example": (
        "qualification", "community", "qualification", "community", "lifestyle",
        "qualification", "community", "qualification", "community", "qualification",
        "community", "qualification", "lifestyle",
    ),
}  # fmt: skip
CONSENT_NO_SHARE = 0.2  # answer いいえ to the consent item
CONSENT_BLANK_SHARE = 0.05


def add_voices(catalog: Catalog, plan: WavePlan, *, seed: int) -> None:
    """Rewrite the wave's free-text answers by category and answer its consent items."""
    rng = rng_for(seed, "voices", plan.wave.wave_code)
    for item_code, by_category in TEXTS_BY_ITEM.items():
        column = plan.columns.get(item_code)
        if column:
            _deal_texts(column, by_category, DECKS[item_code], rng)
    size = len(plan.respondents)
    asked = {item.item_code for item in items_asked(catalog, plan.wave)}
    for item_code in sorted(catalog.voice_consent_items & asked):
        yes, *_, no = labels_high_to_low(catalog, catalog.items[item_code].scale_code)
        plan.columns[item_code] = [_consent(yes, no, rng) for _ in range(size)]


def _deal_texts(
    column: list[str | None],
    by_category: dict[str, tuple[str, ...]],
    deck: tuple[str, ...],
    rng: random.Random,
) -> None:
    rows = [row for row, value in enumerate(column) if value is not None]
    rng.shuffle(rows)
    start = {category: rng.randrange(len(texts)) for category, texts in by_category.items()}
    dealt: dict[str, int] = {}
    for position, row in enumerate(rows):
        category = deck[position % len(deck)]
        texts = by_category[category]
        turn = dealt.get(category, 0)
        column[row] = texts[(start[category] + turn) % len(texts)]
        dealt[category] = turn + 1


def _consent(yes: str, no: str, rng: random.Random) -> str | None:
    draw = rng.random()
    if draw < CONSENT_BLANK_SHARE:
        return None
    return no if draw < CONSENT_BLANK_SHARE + CONSENT_NO_SHARE else yes
