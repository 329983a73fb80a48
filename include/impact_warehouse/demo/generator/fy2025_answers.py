"""Answer plans that reproduce the FY2025 report exactly (fy2025_targets, times the scale).

The seed decides who answers what; the counts never change. Pre and post score items are
planned together so that the paired subset is plausible: people keep roughly their rank from
pre to post, and the strongly anxious group (pre anxiety ≤ 3) is less anxious and more
confident afterwards, as the report describes.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from impact_warehouse.catalog import Catalog, Wave
from impact_warehouse.demo.generator.answers import (
    Column,
    WavePlan,
    add_free_text,
    column_from_counts,
    generic_plan,
)
from impact_warehouse.demo.generator.dirt import DirtNote, full_width
from impact_warehouse.demo.generator.fy2025_targets import (
    COMPARISON_ANSWERS,
    COMPARISON_ROWS,
    FOLLOWUP_ANSWERS,
    FOLLOWUP_RESPONDENTS,
    POST_LIKERT,
    POST_SCORES,
    PRE_SCORES,
    SCORE_BLANKS,
    SHORT_TERM_RESPONDERS,
    STRONGLY_ANXIOUS_AT_MOST,
    TIME_USE,
    TimeUseTarget,
    scaled,
)
from impact_warehouse.demo.generator.instrument import answer_text, format_number
from impact_warehouse.demo.generator.people import Person, Population
from impact_warehouse.demo.generator.seeding import rng_for
from impact_warehouse.demo.generator.time_use import (
    HOURS_ITEMS,
    WEEKDAY_PARTNER,
    calibrate,
    draw_housework,
    hours_value,
)

GROUPS = ("pre_and_post", "pre_only", "post_only")
ANXIETY_ITEM = "return_anxiety"
CONFIDENCE_ITEM = "career_confidence"
_RANK_NOISE = 1.5  # how far people drift from their pre rank at post, in score points
# How much the strongly anxious improve at least (score points), per item.
_STRONGLY_ANXIOUS_LIFT = {ANXIETY_ITEM: 1, CONFIDENCE_ITEM: 2}
_STRONGLY_ANXIOUS_CONFIDENCE_AT_MOST = 5
# Invalid hours answers replace the blank of an excluded respondent (METRICS.md: quarantined).
_HOURS_DIRT = {
    "housework_hours_weekday_self": ("unparseable_value", "2時間半"),
    "housework_hours_weekend_self": ("out_of_range", "25"),
}
_FULL_WIDTH_HOURS = 5  # 2.5 h in half-hours, typed "２．５"
_PANEL_OUT_OF_RANGE = "30"

Member = tuple[str, Person]  # (cohort_code, person)


def short_term_plans(
    catalog: Catalog, population: Population, *, seed: int, scale: int
) -> dict[str, WavePlan]:
    """Plans for the pre and post waves of the FY2025 cohorts in SHORT_TERM_RESPONDERS."""
    rng = rng_for(seed, "fy2025", "short_term")
    groups = _responder_groups(population, scale, rng)
    pre_scores, post_scores = _score_answers(groups, scale, rng)
    post_people: dict[str, list[Person]] = {}
    plans: dict[str, WavePlan] = {}
    for cohort_code in SHORT_TERM_RESPONDERS:
        pre_wave = _wave_of(catalog, cohort_code, "pre")
        pre_people = _people_in(groups, cohort_code, ("pre_and_post", "pre_only"), rng)
        plans[pre_wave.wave_code] = _score_plan(catalog, pre_wave, pre_people, pre_scores, rng)
        post_people[cohort_code] = _people_in(
            groups, cohort_code, ("pre_and_post", "post_only"), rng
        )
    # Post likert targets are pooled over both programs, so deal them over all post respondents.
    pooled = [person for people in post_people.values() for person in people]
    likert = {
        item: column_from_counts(
            catalog, catalog.items[item], scaled(counts, scale), len(pooled), rng
        )
        for item, counts in POST_LIKERT.items()
    }
    start = 0
    for cohort_code, people in post_people.items():
        post_wave = _wave_of(catalog, cohort_code, "post")
        plan = _score_plan(catalog, post_wave, people, post_scores, rng)
        for item, column in likert.items():
            plan.columns[item] = column[start : start + len(people)]
        plans[post_wave.wave_code] = plan
        start += len(people)
    return plans


def followup_plan(
    catalog: Catalog, wave: Wave, population: Population, *, seed: int, scale: int
) -> WavePlan:
    rng = rng_for(seed, "fy2025", wave.wave_code)
    people = population.people_of(wave.target_cohorts)
    respondents = rng.sample(people, FOLLOWUP_RESPONDENTS * scale)
    plan = generic_plan(catalog, wave, respondents, rng)
    for item, counts in FOLLOWUP_ANSWERS.items():
        plan.columns[item] = column_from_counts(
            catalog, catalog.items[item], scaled(counts, scale), len(respondents), rng
        )
    add_free_text(catalog, plan.columns, rng)
    _plan_housework(plan, TIME_USE[wave.wave_code], scale, rng, with_dirt=True)
    return plan


def comparison_block(catalog: Catalog, wave: Wave, *, seed: int, block: int) -> WavePlan:
    """One scale-1 copy of the panel (309 women); block 0 carries the panel's dirt."""
    rng = rng_for(seed, "fy2025", wave.wave_code, str(block))
    plan = generic_plan(catalog, wave, [None] * COMPARISON_ROWS, rng)
    for item, counts in COMPARISON_ANSWERS.items():
        plan.columns[item] = column_from_counts(
            catalog, catalog.items[item], counts, COMPARISON_ROWS, rng
        )
    excluded = _plan_housework(plan, TIME_USE[wave.wave_code], 1, rng, with_dirt=False)
    if block == 0:
        row, item = excluded[0]
        plan.columns[item][row] = _PANEL_OUT_OF_RANGE
        plan.note(
            row,
            DirtNote(
                "out_of_range", f"{item} = {_PANEL_OUT_OF_RANGE!r} h/day: excluded from time use"
            ),
        )
    for row, value in enumerate(plan.columns["connections_widened"]):
        if value is None:
            plan.note(row, DirtNote("blank_answer", "connections_widened left blank"))
    return plan


def _wave_of(catalog: Catalog, cohort_code: str, wave_type: str) -> Wave:
    for wave in catalog.waves.values():
        if wave.wave_type == wave_type and wave.target_cohorts == (cohort_code,):
            return wave
    raise ValueError(
        f"no {wave_type} wave targets cohort {cohort_code} in waves.csv/wave_targets.csv"
    )


def _responder_groups(
    population: Population, scale: int, rng: random.Random
) -> dict[str, list[Member]]:
    groups: dict[str, list[Member]] = {group: [] for group in GROUPS}
    for cohort_code, responders in SHORT_TERM_RESPONDERS.items():
        people = [participation.person for participation in population.participations[cohort_code]]
        rng.shuffle(people)
        start = 0
        for group in GROUPS:
            size = getattr(responders, group) * scale
            groups[group].extend((cohort_code, person) for person in people[start : start + size])
            start += size
    return groups


def _people_in(
    groups: dict[str, list[Member]],
    cohort_code: str,
    group_names: tuple[str, ...],
    rng: random.Random,
) -> list[Person]:
    people = [
        person for group in group_names for code, person in groups[group] if code == cohort_code
    ]
    rng.shuffle(people)
    return people


def _score_plan(
    catalog: Catalog,
    wave: Wave,
    people: list[Person],
    scores: dict[str, dict[int, int]],
    rng: random.Random,
) -> WavePlan:
    plan = generic_plan(catalog, wave, people, rng)
    for item, by_person in scores.items():
        plan.columns[item] = [
            answer_text(catalog, catalog.items[item], by_person[person.key])
            if person.key in by_person
            else None
            for person in people
        ]
    return plan


@dataclass
class _ScoreSets:
    """Who has a valid pre and post answer to one score item."""

    pre: list[Person]
    post: list[Person]

    def paired(self) -> list[Person]:
        post_keys = {person.key for person in self.post}
        return [person for person in self.pre if person.key in post_keys]


def _score_answers(
    groups: dict[str, list[Member]], scale: int, rng: random.Random
) -> tuple[dict[str, dict[int, int]], dict[str, dict[int, int]]]:
    """Pre and post scores per item and person (``person.key``); a missing key is a blank."""
    sets = _valid_sets(groups, scale, rng)
    strongly_anxious_count = sum(
        count
        for score, count in PRE_SCORES[ANXIETY_ITEM].items()
        if score <= STRONGLY_ANXIOUS_AT_MOST
    )
    anxiety_keys = {person.key for person in sets[ANXIETY_ITEM].paired()}
    eligible = [person for person in sets[CONFIDENCE_ITEM].paired() if person.key in anxiety_keys]
    strongly_anxious = rng.sample(eligible, strongly_anxious_count * scale)
    pre_scores: dict[str, dict[int, int]] = {}
    post_scores: dict[str, dict[int, int]] = {}
    for item in (ANXIETY_ITEM, CONFIDENCE_ITEM):
        pre_scores[item] = _pre_scores(item, sets[item], strongly_anxious, scale, rng)
        post_scores[item] = _post_scores(
            item, sets[item], strongly_anxious, pre_scores[item], scale, rng
        )
    return pre_scores, post_scores


def _valid_sets(
    groups: dict[str, list[Member]], scale: int, rng: random.Random
) -> dict[str, _ScoreSets]:
    blanks: dict[tuple[str, str], set[int]] = {}
    for (wave_type, item), per_group in SCORE_BLANKS.items():
        # Pre and post blanks of one item fall on different people, so the paired set is fixed.
        taken = set().union(*(keys for (_, other), keys in blanks.items() if other == item))
        chosen: set[int] = set()
        for group, count in per_group.items():
            candidates = [person.key for _, person in groups[group] if person.key not in taken]
            chosen.update(rng.sample(candidates, count * scale))
        blanks[(wave_type, item)] = chosen
    pre_people = [person for group in ("pre_and_post", "pre_only") for _, person in groups[group]]
    post_people = [person for group in ("pre_and_post", "post_only") for _, person in groups[group]]
    return {
        item: _ScoreSets(
            pre=[p for p in pre_people if p.key not in blanks.get(("pre", item), set())],
            post=[p for p in post_people if p.key not in blanks.get(("post", item), set())],
        )
        for item in (ANXIETY_ITEM, CONFIDENCE_ITEM)
    }


def _pre_scores(
    item: str, sets: _ScoreSets, strongly_anxious: list[Person], scale: int, rng: random.Random
) -> dict[int, int]:
    pool = _expand(scaled(PRE_SCORES[item], scale))
    _check_size(f"PRE_SCORES[{item!r}]", pool, sets.pre, scale)
    ceiling = (
        STRONGLY_ANXIOUS_AT_MOST if item == ANXIETY_ITEM else _STRONGLY_ANXIOUS_CONFIDENCE_AT_MOST
    )
    low = [value for value in pool if value <= ceiling]
    own = rng.sample(low, len(strongly_anxious))
    rest = _without(pool, own)
    rng.shuffle(rest)
    special = {person.key for person in strongly_anxious}
    others = [person for person in sets.pre if person.key not in special]
    scores = {person.key: value for person, value in zip(strongly_anxious, own, strict=True)}
    scores.update((person.key, value) for person, value in zip(others, rest, strict=True))
    return scores


def _post_scores(
    item: str,
    sets: _ScoreSets,
    strongly_anxious: list[Person],
    pre: dict[int, int],
    scale: int,
    rng: random.Random,
) -> dict[int, int]:
    available = Counter(_expand(scaled(POST_SCORES[item], scale)))
    _check_size(f"POST_SCORES[{item!r}]", list(available.elements()), sets.post, scale)
    scores: dict[int, int] = {}
    for person in sorted(strongly_anxious, key=lambda person: (pre[person.key], person.key)):
        value = _smallest_at_least(available, pre[person.key] + _STRONGLY_ANXIOUS_LIFT[item])
        if value is None:
            value = _smallest_at_least(available, pre[person.key] + 1)
        if value is None:
            raise ValueError(
                f"POST_SCORES[{item!r}] leaves no higher score for the strongly anxious"
            )
        available[value] -= 1
        scores[person.key] = value
    special = {person.key for person in strongly_anxious}
    paired = [person for person in sets.paired() if person.key not in special]
    paired_keys = {person.key for person in paired}
    unpaired = [
        person
        for person in sets.post
        if person.key not in paired_keys and person.key not in special
    ]
    remaining = sorted(available.elements())
    unpaired_values = rng.sample(remaining, len(unpaired))
    scores.update(
        (person.key, value) for person, value in zip(unpaired, unpaired_values, strict=True)
    )
    # People keep roughly their pre rank: sort by pre score plus noise, deal post scores in order.
    ranked = sorted(paired, key=lambda person: pre[person.key] + rng.gauss(0, _RANK_NOISE))
    coupled = sorted(_without(remaining, unpaired_values))
    scores.update((person.key, value) for person, value in zip(ranked, coupled, strict=True))
    return scores


def _plan_housework(
    plan: WavePlan, target: TimeUseTarget, scale: int, rng: random.Random, *, with_dirt: bool
) -> list[tuple[int, str]]:
    """Hours answers whose group means hit ``target``; returns the excluded (row, blank item).

    Excluded respondents leave one hours item blank, so they are out of time use (which needs
    all four answers). With ``with_dirt`` two of those blanks become invalid answers and one
    counted answer is typed with full-width digits.
    """
    size = len(next(iter(plan.columns.values())))
    rows = [draw_housework(rng) for _ in range(size)]
    excluded_rows = sorted(rng.sample(range(size), target.excluded_respondents * scale))
    excluded_set = set(excluded_rows)
    included = [row for row in range(size) if row not in excluded_set]
    # The full-width answer is the first counted respondent's: position 0 of ``included``.
    full_width_row = included[0] if with_dirt else None
    frozen: set[tuple[int, int]] = set()
    if full_width_row is not None:
        rows[full_width_row][WEEKDAY_PARTNER] = _FULL_WIDTH_HOURS
        frozen.add((0, WEEKDAY_PARTNER))
    calibrate([rows[row] for row in included], target, rng, frozen)
    columns: dict[str, Column] = {
        item: [format_number(hours_value(values[position])) for values in rows]
        for position, item in enumerate(HOURS_ITEMS)
    }
    excluded = [
        (row, HOURS_ITEMS[number % len(HOURS_ITEMS)]) for number, row in enumerate(excluded_rows)
    ]
    for row, item in excluded:
        columns[item][row] = None
    if with_dirt:
        _type_hours_dirt(plan, columns, excluded, full_width_row)
    plan.columns.update(columns)
    return excluded


def _type_hours_dirt(
    plan: WavePlan,
    columns: dict[str, Column],
    excluded: list[tuple[int, str]],
    full_width_row: int | None,
) -> None:
    typed_items: set[str] = set()
    for row, item in excluded:
        if item in _HOURS_DIRT and item not in typed_items:
            typed_items.add(item)
            kind, value = _HOURS_DIRT[item]
            columns[item][row] = value
            detail = f"{item} = {value!r} instead of a blank: excluded from time use"
            plan.note(row, DirtNote(kind, detail))
    if full_width_row is not None:
        item = HOURS_ITEMS[WEEKDAY_PARTNER]
        typed = full_width(columns[item][full_width_row] or "")
        columns[item][full_width_row] = typed
        plan.note(
            full_width_row,
            DirtNote("fullwidth_digits", f"{item} typed as {typed!r}: valid, counts"),
        )


def _expand(counts: dict[int, int]) -> list[int]:
    return [value for value, count in counts.items() for _ in range(count)]


def _without(pool: list[int], taken: list[int]) -> list[int]:
    left = Counter(pool)
    left.subtract(taken)
    return sorted(left.elements())


def _smallest_at_least(available: Counter[int], floor: int) -> int | None:
    candidates = [value for value, count in available.items() if count > 0 and value >= floor]
    return min(candidates) if candidates else None


def _check_size(table: str, pool: list[int], people: list[Person], scale: int) -> None:
    if len(pool) != len(people):
        raise ValueError(
            f"fy2025_targets.{table} has {len(pool) // scale} answers but {len(people) // scale} "
            "respondents answer it (SHORT_TERM_RESPONDERS minus SCORE_BLANKS); make them agree"
        )
