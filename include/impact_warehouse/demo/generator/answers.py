"""Answer plans: who answers a wave and what, column by column (one list per question).

Columns keep memory small at large scales: a wave of 40,000 respondents is a few lists of
short strings, and a response object exists only while its JSON line is being written.
``None`` is a blank: Google leaves an unanswered question out of ``answers``.

Waves without published figures get plausible answers drawn around the FY2025 distributions,
tilted per wave so that years differ.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from impact_warehouse.catalog import Catalog, Item, Wave
from impact_warehouse.demo.generator import free_text
from impact_warehouse.demo.generator.dirt import DirtNote
from impact_warehouse.demo.generator.forms import COMMENT_KEY
from impact_warehouse.demo.generator.fy2025_targets import (
    COMPARISON_ANSWERS,
    FOLLOWUP_ANSWERS,
    POST_LIKERT,
    POST_SCORES,
    PRE_SCORES,
)
from impact_warehouse.demo.generator.instrument import (
    NAME_ITEM,
    PHONE_ITEM,
    answer_text,
    format_number,
    items_asked,
    label_for,
)
from impact_warehouse.demo.generator.people import Person
from impact_warehouse.demo.generator.time_use import HOURS_ITEMS, draw_housework, hours_value

Column = list[str | None]

BLANK_SHARE = 0.03
PHONE_SHARE = 0.6
EXAMPLE_SHARE = 0.75  # of those who said they took on something new
COMMENT_SHARE = 0.3
# Free-text examples are asked of those who answered はい to the matching yes/no item.
EXAMPLE_SOURCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "challenge_at_work_example": ("challenged_at_work", free_text.WORK_CHALLENGE_EXAMPLES),
    "challenge_in_private_example": ("challenged_in_private", free_text.PRIVATE_CHALLENGE_EXAMPLES),
}
_TYPICAL_COUNTS: dict[str, dict[str, dict[int, int]]] = {
    "pre": PRE_SCORES,
    "post": {**POST_SCORES, **POST_LIKERT},
    "followup": FOLLOWUP_ANSWERS,
    "comparison": COMPARISON_ANSWERS,
}
_TILT_SIGMA = 0.3


@dataclass
class WavePlan:
    """Answers of one wave's respondents; row i of every column belongs to respondents[i]."""

    wave: Wave
    respondents: list[Person]
    columns: dict[str, Column]  # item_code (or COMMENT_KEY) → answer text per respondent
    notes: dict[int, list[DirtNote]] = field(default_factory=dict)  # dirt to log per row

    def answers(self, row: int) -> dict[str, str]:
        return {key: column[row] for key, column in self.columns.items() if column[row] is not None}

    def note(self, row: int, note: DirtNote) -> None:
        self.notes.setdefault(row, []).append(note)


def column_from_counts(
    catalog: Catalog, item: Item, counts: dict[int, int], size: int, rng: random.Random
) -> Column:
    """Exactly ``counts`` answers (code → respondents), the rest blank, in random order."""
    column: Column = [
        answer_text(catalog, item, code) for code, count in counts.items() for _ in range(count)
    ]
    if len(column) > size:
        raise ValueError(f"{item.item_code}: {len(column)} answers planned for {size} respondents")
    column.extend([None] * (size - len(column)))
    rng.shuffle(column)
    return column


def generic_plan(
    catalog: Catalog, wave: Wave, respondents: Sequence[Person | None], rng: random.Random
) -> WavePlan:
    """Plausible answers for a wave without published figures (or a stray extra response)."""
    columns: dict[str, Column] = {}
    housework = [draw_housework(rng) for _ in respondents] if _asks_hours(catalog, wave) else []
    for item in items_asked(catalog, wave):
        if item.item_code in catalog.covariates:
            continue  # demo/generator/covariates.py, from streams of its own
        if item.item_code in catalog.voice_consent_items:
            continue  # answered from a stream of its own (demo/generator/voices.py)
        columns[item.item_code] = _generic_column(catalog, wave, item, respondents, housework, rng)
    add_free_text(catalog, columns, rng)
    if wave.wave_type == "post":
        columns[COMMENT_KEY] = comment_column(len(respondents), rng)
    return WavePlan(wave, [person for person in respondents if person is not None], columns)


def _asks_hours(catalog: Catalog, wave: Wave) -> bool:
    return any(item.item_code in HOURS_ITEMS for item in items_asked(catalog, wave))


def _generic_column(
    catalog: Catalog,
    wave: Wave,
    item: Item,
    respondents: Sequence[Person | None],
    housework: list[list[int]],
    rng: random.Random,
) -> Column:
    if item.item_code == NAME_ITEM:
        return name_column(respondents, rng)
    if item.item_code == PHONE_ITEM:
        return phone_column(respondents, rng)
    if item.item_code in HOURS_ITEMS:
        position = HOURS_ITEMS.index(item.item_code)
        return [_blank_or(format_number(hours_value(row[position])), rng) for row in housework]
    counts = _TYPICAL_COUNTS.get(wave.wave_type, {}).get(item.item_code) or _uniform(catalog, item)
    if not counts:
        return [None] * len(respondents)  # free text is filled in from the yes/no answers
    codes = list(counts)
    weights = [count * math.exp(rng.gauss(0, _TILT_SIGMA)) for count in counts.values()]
    drawn = rng.choices(codes, weights, k=len(respondents))
    return [_blank_or(answer_text(catalog, item, code), rng) for code in drawn]


def _uniform(catalog: Catalog, item: Item) -> dict[int, int]:
    scale = catalog.scales[item.scale_code]
    if scale.labels:
        return dict.fromkeys(scale.labels.values(), 1)
    if (
        scale.value_type == "integer"
        and scale.min_value is not None
        and scale.max_value is not None
    ):
        return dict.fromkeys(range(int(scale.min_value), int(scale.max_value) + 1), 1)
    return {}


def _blank_or(value: str, rng: random.Random) -> str | None:
    return None if rng.random() < BLANK_SHARE else value


def name_column(respondents: Sequence[Person | None], rng: random.Random) -> Column:
    return [rng.choice(person.name_forms) if person else None for person in respondents]


def phone_column(respondents: Sequence[Person | None], rng: random.Random) -> Column:
    return [
        person.phone if person and rng.random() < PHONE_SHARE else None for person in respondents
    ]


def comment_column(size: int, rng: random.Random) -> Column:
    return [
        rng.choice(free_text.POST_COMMENTS) if rng.random() < COMMENT_SHARE else None
        for _ in range(size)
    ]


def add_free_text(catalog: Catalog, columns: dict[str, Column], rng: random.Random) -> None:
    """Fill the example questions for respondents who said はい to the matching item."""
    for example_item, (source_item, examples) in EXAMPLE_SOURCES.items():
        if example_item not in columns or source_item not in columns:
            continue
        yes = label_for(catalog, catalog.items[source_item].scale_code, 1)
        columns[example_item] = [
            rng.choice(examples) if answer == yes and rng.random() < EXAMPLE_SHARE else None
            for answer in columns[source_item]
        ]


# Share of a wave's targeted people who answer, for waves without published figures.
_RESPONSE_RATES = {"pre": (0.85, 0.97), "post": (0.6, 0.9), "followup": (0.22, 0.35)}


def generic_respondents(people: list[Person], wave_type: str, rng: random.Random) -> list[Person]:
    low, high = _RESPONSE_RATES.get(wave_type, (0.5, 0.8))
    return rng.sample(people, round(len(people) * rng.uniform(low, high)))
