"""Covariate answers (covariates.csv) of follow-up respondents and of the comparison panel.

Drawn from random streams of their own (``rng_for(seed, "covariates", …)``) and after every
other answer of the wave is planned, so adding covariates changes no other answer and no
published figure. Realism, in short (the demo README has the distributions):
- the panel is screened (waves.csv targeted_population_ja), so every panel row meets
  ``panel_screening_values`` by construction; its age band comes from the row's 年齢 column
  (24–45, so bands 1–4), its number of children is free;
- participants vary: a person's age and number of children are hers in every wave; her
  employment at the follow-up depends on her employment at entry (roster) and on her answer
  to ``OUTCOME_ITEM`` (full-time women report new challenges at work more often), so the raw
  comparison with the panel is confounded and the adjustment matters;
- months since return follow the employment: not returned while on leave or not working.
Covariates whose item the generator does not know are drawn uniformly over their labels
(the panel: over its screening values).
"""

from __future__ import annotations

import random

from impact_warehouse.catalog import Catalog, Covariate, Wave
from impact_warehouse.demo.generator.answers import Column, WavePlan
from impact_warehouse.demo.generator.instrument import items_asked, label_for
from impact_warehouse.demo.generator.people import Population
from impact_warehouse.demo.generator.seeding import rng_for

AGE_ITEM = "age_band"
REGION_ITEM = "region_band"
EMPLOYMENT_ITEM = "employment_type"
RETURN_ITEM = "months_since_return"
CHILDREN_ITEM = "number_of_children"
# The outcome the employment is tied to (yes/no scale: code 1 = yes).
OUTCOME_ITEM = "challenged_at_work"

# Value codes (scale_labels.csv).
METRO, ELSEWHERE, ABROAD = 1, 2, 3
FULL_TIME, CONTRACT, PART_TIME, SELF_EMPLOYED, ON_LEAVE, NOT_WORKING = 1, 2, 3, 4, 5, 6
NOT_RETURNED, WITHIN_12_MONTHS, OVER_12_MONTHS = 1, 2, 3
_WORKING = (FULL_TIME, CONTRACT, PART_TIME, SELF_EMPLOYED)

# Employment at follow-up (codes 1..6) by employment at entry (employment_statuses.csv).
_EMPLOYMENT_BY_ENTRY: dict[str, tuple[float, ...]] = {
    "on_leave": (0.45, 0.07, 0.13, 0.05, 0.20, 0.10),
    "abroad_with_spouse": (0.10, 0.04, 0.10, 0.10, 0.26, 0.40),
    "not_working": (0.08, 0.12, 0.27, 0.10, 0.00, 0.43),
    "full_time": (0.84, 0.04, 0.03, 0.02, 0.07, 0.00),
    "freelance": (0.08, 0.02, 0.05, 0.75, 0.02, 0.08),
    "other": (0.20, 0.15, 0.20, 0.15, 0.10, 0.20),
}
# Multipliers by the OUTCOME_ITEM answer (yes / no): working full-time goes with challenges.
_TILT_IF_YES = (3.0, 1.2, 0.8, 1.3, 0.7, 0.35)
_TILT_IF_NO = (0.4, 1.0, 1.2, 0.9, 1.5, 1.6)
_ABROAD_IF_ABROAD_AT_ENTRY = {True: 0.15, False: 0.6}  # working at follow-up / not working
_ABROAD_OTHERWISE = 0.02
_METRO_SHARE = 0.85  # most participants live in and around Tokyo, Osaka, Nagoya
# Back at work when they joined (NEXT): some of them had only just returned.
_RECENT_RETURN_IF_WORKING_AT_ENTRY = 0.4
# Returned within a year of the follow-up, by fiscal years since the cohort (on leave when
# they joined in the autumn, most return the next spring).
_RECENT_RETURN = {1: 0.8, 2: 0.35}
_RECENT_RETURN_LATER = 0.15
_PARTICIPANT_AGE = (36.5, 4.5, 26, 48)  # mean, sd, youngest, oldest in FY2025
_PARTICIPANT_CHILDREN = (0.58, 0.33, 0.09)  # many join on leave with their first child
# In the panel, by the OUTCOME_ITEM answer (yes / no / blank): with more children, fewer new
# challenges at work, so re-weighting the panel to the participants moves its share.
_PANEL_CHILDREN = {True: (0.55, 0.35, 0.10), False: (0.40, 0.44, 0.16), None: (0.44, 0.42, 0.14)}
_REFERENCE_YEAR = 2025
_AGE_BANDS = ((29, 1), (34, 2), (39, 3), (45, 4))


def age_band(age: int) -> int:
    """29歳以下=1, 30-34=2, 35-39=3, 40-45=4, 46歳以上=5."""
    return next((code for upper, code in _AGE_BANDS if age <= upper), 5)


def covariate_items(catalog: Catalog, wave: Wave) -> list[str]:
    """The covariates this wave asks, in form order."""
    return [
        item.item_code
        for item in items_asked(catalog, wave)
        if item.item_code in catalog.covariates
    ]


def add_participant_covariates(
    catalog: Catalog, plan: WavePlan, population: Population, seed: int
) -> None:
    """Fill the covariate columns of a follow-up plan: every respondent answers every one."""
    codes = covariate_items(catalog, plan.wave)
    if not codes:
        return
    rng = rng_for(seed, "covariates", plan.wave.wave_code)
    entries = _entries(catalog, population, plan.wave)
    outcome = _outcome_answers(catalog, plan)
    columns: dict[str, Column] = {code: [] for code in codes}
    for row, person in enumerate(plan.respondents):
        status, cohort_year = entries.get(person.key, ("other", plan.wave.fiscal_year - 1))
        traits = _PersonTraits(seed, person.key)
        values = _participant_values(
            rng,
            traits,
            status,
            plan.wave.fiscal_year - cohort_year,
            outcome[row],
            plan.wave.fiscal_year,
        )
        for code in codes:
            value = values.get(code) or _uniform(rng, catalog, code)
            columns[code].append(_label(catalog, code, value))
    plan.columns.update(columns)


class PanelCovariates:
    """Covariate answers of one panel delivery, row by row, inside the panel's screening."""

    def __init__(self, catalog: Catalog, wave: Wave, seed: int) -> None:
        self.catalog = catalog
        self.codes = covariate_items(catalog, wave)
        self.rng = rng_for(seed, "covariates", wave.wave_code)

    def answers(self, age: int, outcome: str | None) -> dict[str, str]:
        """The row's covariates from its 年齢 column and its answer to OUTCOME_ITEM."""
        rng = self.rng
        values = {
            AGE_ITEM: age_band(age),
            REGION_ITEM: METRO,
            EMPLOYMENT_ITEM: FULL_TIME,
            RETURN_ITEM: WITHIN_12_MONTHS,
            CHILDREN_ITEM: _choose(rng, _PANEL_CHILDREN[_yes_or_no(self.catalog, outcome)]),
        }
        answers = {}
        for code in self.codes:
            covariate = self.catalog.covariates[code]
            value = values.get(code)
            if value is None or not covariate.meets_screening(value):
                value = _screened(rng, self.catalog, covariate)
            answers[code] = _label(self.catalog, code, value)
        return answers


class _PersonTraits:
    """What stays hers from wave to wave: her age in FY2025 and her number of children."""

    def __init__(self, seed: int, key: int) -> None:
        rng = rng_for(seed, "covariates", "person", str(key))
        mean, sd, youngest, oldest = _PARTICIPANT_AGE
        self.age_in_reference_year = min(oldest, max(youngest, round(rng.gauss(mean, sd))))
        self.children = _choose(rng, _PARTICIPANT_CHILDREN)
        self.metro = rng.random() < _METRO_SHARE


def _participant_values(
    rng: random.Random,
    traits: _PersonTraits,
    status: str,
    years_since_cohort: int,
    outcome: bool | None,
    fiscal_year: int,
) -> dict[str, int]:
    weights = list(_EMPLOYMENT_BY_ENTRY.get(status, _EMPLOYMENT_BY_ENTRY["other"]))
    if outcome is not None:
        tilt = _TILT_IF_YES if outcome else _TILT_IF_NO
        weights = [weight * factor for weight, factor in zip(weights, tilt, strict=True)]
    employment = _choose(rng, weights)
    if status == "abroad_with_spouse":
        abroad = rng.random() < _ABROAD_IF_ABROAD_AT_ENTRY[employment in _WORKING]
    else:
        abroad = rng.random() < _ABROAD_OTHERWISE
    region = ABROAD if abroad else (METRO if traits.metro else ELSEWHERE)
    if employment not in _WORKING:
        since_return = NOT_RETURNED
    elif status in ("full_time", "freelance"):
        recent = rng.random() < _RECENT_RETURN_IF_WORKING_AT_ENTRY
        since_return = WITHIN_12_MONTHS if recent else OVER_12_MONTHS
    else:
        recent = _RECENT_RETURN.get(years_since_cohort, _RECENT_RETURN_LATER)
        since_return = WITHIN_12_MONTHS if rng.random() < recent else OVER_12_MONTHS
    age = traits.age_in_reference_year + fiscal_year - _REFERENCE_YEAR
    return {
        AGE_ITEM: age_band(age),
        REGION_ITEM: region,
        EMPLOYMENT_ITEM: employment,
        RETURN_ITEM: since_return,
        CHILDREN_ITEM: traits.children,
    }


def _entries(catalog: Catalog, population: Population, wave: Wave) -> dict[int, tuple[str, int]]:
    """Person key → (employment at entry, cohort fiscal year) of her latest targeted cohort."""
    entries: dict[int, tuple[str, int]] = {}
    for cohort_code in wave.target_cohorts:
        year = catalog.cohorts[cohort_code].fiscal_year
        for participation in population.participations.get(cohort_code, ()):
            known = entries.get(participation.person.key)
            if known is None or known[1] <= year:
                entries[participation.person.key] = (participation.employment_status, year)
    return entries


def _outcome_answers(catalog: Catalog, plan: WavePlan) -> list[bool | None]:
    column = plan.columns.get(OUTCOME_ITEM) or [None] * len(plan.respondents)
    return [_yes_or_no(catalog, value) for value in column]


def _yes_or_no(catalog: Catalog, answer: str | None) -> bool | None:
    """True / False for a yes / no answer to OUTCOME_ITEM; None when blank or not asked."""
    if answer is None or OUTCOME_ITEM not in catalog.items:
        return None
    scale = catalog.items[OUTCOME_ITEM].scale_code
    if answer == label_for(catalog, scale, 1):
        return True
    return False if answer == label_for(catalog, scale, 0) else None


def _choose(rng: random.Random, weights: tuple[float, ...] | list[float]) -> int:
    """A value code 1..n drawn with these weights."""
    return rng.choices(range(1, len(weights) + 1), weights)[0]


def _uniform(rng: random.Random, catalog: Catalog, code: str) -> int:
    labels = catalog.scales[catalog.items[code].scale_code].labels
    return rng.choice(sorted(labels.values()))


def _screened(rng: random.Random, catalog: Catalog, covariate: Covariate) -> int:
    values = covariate.panel_screening_values
    return rng.choice(values) if values else _uniform(rng, catalog, covariate.item_code)


def _label(catalog: Catalog, code: str, value: int) -> str:
    return label_for(catalog, catalog.items[code].scale_code, value)
