"""The roster: fictitious mothers, their cohorts, teams and the organisations they supported.

A person is identified by her e-mail address. Some people join a second cohort (see
``population.REPEAT_JOINERS``); the later roster then sometimes writes her address with other
capitals or stray spaces, as staff copy addresses by hand.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from impact_warehouse.catalog import Catalog, Cohort
from impact_warehouse.demo.generator import free_text, names
from impact_warehouse.demo.generator.fy2025_targets import EMPLOYMENT_AT_ENTRY
from impact_warehouse.demo.generator.population import (
    COHORT_PLANS,
    EMPLOYMENT_MIX,
    REPEAT_JOINERS,
    CohortPlan,
    employment_group,
)
from impact_warehouse.demo.generator.seeding import rng_for

PROJECT_PREFIXES = {"mamabono": "MB", "npo_mentoring": "NM", "next_research": "NR"}
_REPORTED_FISCAL_YEAR = 2025
_ROSTER_VARIANT_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class Person:
    key: int
    family_name: str
    given_name: str
    email: str  # canonical: lower case, as first registered
    phone: str

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.given_name}"

    @property
    def contacts(self) -> tuple[tuple[str, str], ...]:
        """Every (kind, value) of hers that may be written somewhere."""
        values = [("name", name) for name in self.name_forms] + [("email", self.email)]
        return tuple(values + ([("phone", self.phone)] if self.phone else []))

    @property
    def name_forms(self) -> tuple[str, str, str]:
        """How she types her name into a form: half-width space, none, full-width space."""
        return (
            self.full_name,
            self.family_name + self.given_name,
            f"{self.family_name}　{self.given_name}",
        )


@dataclass(frozen=True, slots=True)
class Participation:
    person: Person
    cohort_code: str
    employment_status: str  # employment_statuses.csv code, at entry
    roster_email: str  # as written in this cohort's roster
    project_id: str


@dataclass(frozen=True, slots=True)
class Organisation:
    organisation_id: str
    name: str
    prefecture: str
    field: str


@dataclass(frozen=True, slots=True)
class Project:
    project_id: str
    cohort_code: str
    name: str
    organisation_id: str
    team_size: int


@dataclass
class Population:
    participations: dict[str, list[Participation]]  # by cohort, in roster order
    projects: dict[str, list[Project]]
    organisations: dict[str, Organisation]
    persons: list[Person]
    used_emails: set[str] = field(repr=False)
    roster_variants: dict[int, str] = field(
        default_factory=dict
    )  # key → as a later roster wrote it

    def stranger(self, rng: random.Random) -> Person:
        """Someone on no roster, with an address no participant has (an unlinked respondent)."""
        return PersonFactory(rng, self.used_emails, first_key=-len(self.used_emails)).create()

    def people_of(self, cohort_codes: Iterable[str]) -> list[Person]:
        """Distinct people of the cohorts, in roster order."""
        seen: dict[int, Person] = {}
        for code in cohort_codes:
            for participation in self.participations.get(code, ()):
                seen.setdefault(participation.person.key, participation.person)
        return list(seen.values())


class PersonFactory:
    """Creates people with unique, plausible, fictitious e-mail addresses and phone numbers."""

    def __init__(self, rng: random.Random, used_emails: set[str], first_key: int = 1) -> None:
        self._rng = rng
        self._used = used_emails
        self._next_key = first_key

    def create(self) -> Person:
        rng = self._rng
        family, family_romaji = rng.choice(names.FAMILY_NAMES)
        given, given_romaji = rng.choice(names.GIVEN_NAMES)
        email = self._unique_email(given_romaji, family_romaji)
        phone = (
            f"{rng.choice(('090', '080'))}-{rng.randrange(10_000):04d}-{rng.randrange(10_000):04d}"
        )
        self._next_key += 1
        return Person(self._next_key - 1, family, given, email, phone)

    def _unique_email(self, given: str, family: str) -> str:
        rng = self._rng
        local = rng.choice(
            (f"{given}.{family}", f"{family}.{given}", f"{given[0]}{family}", f"{given}_{family}")
        )
        domains = [domain for domain, _ in names.EMAIL_DOMAINS]
        weights = [weight for _, weight in names.EMAIL_DOMAINS]
        suffix = rng.choice(("", str(rng.randint(1, 99)), str(rng.randint(1975, 1996))))
        while True:
            email = f"{local}{suffix}@{rng.choices(domains, weights)[0]}"
            if email not in self._used:
                self._used.add(email)
                return email
            suffix += str(rng.randrange(10))


def email_variant(email: str, rng: random.Random) -> str:
    """The same address as someone might type or copy it: other capitals and/or stray spaces.

    Only case and surrounding whitespace change, so NFKC + strip + lower recovers it.
    """
    local, _, domain = email.partition("@")
    styles = (
        f"{local[:1].upper()}{local[1:]}@{domain}",
        f"{local.upper()}@{domain}",
        f" {email}",
        f"{email} ",
        f"{local[:1].upper()}{local[1:]}@{domain.upper()} ",
    )
    return rng.choice(styles)


def build_population(catalog: Catalog, *, seed: int, scale: int) -> Population:
    rng = rng_for(seed, "people")
    used_emails: set[str] = set()
    factory = PersonFactory(rng, used_emails)
    cohorts = sorted(
        catalog.cohorts.values(), key=lambda cohort: (cohort.start_date, cohort.cohort_code)
    )
    members = _cohort_members(cohorts, factory, rng, scale)
    statuses = _employment_statuses(cohorts, members, rng_for(seed, "employment"), scale)
    organisations: dict[str, Organisation] = {}
    projects: dict[str, list[Project]] = {}
    participations: dict[str, list[Participation]] = {}
    repeaters = _second_participations(cohorts, members)
    org_rng = rng_for(seed, "organisations")
    for cohort in cohorts:
        plan = _plan(cohort)
        cohort_projects = _projects(cohort, plan, scale, catalog, organisations, org_rng)
        projects[cohort.cohort_code] = cohort_projects
        participations[cohort.cohort_code] = _participations(
            cohort, members[cohort.cohort_code], statuses, cohort_projects, repeaters, rng
        )
    persons = _distinct_persons(members, cohorts)
    roster_variants = {
        participation.person.key: participation.roster_email
        for cohort_participations in participations.values()
        for participation in cohort_participations
        if participation.roster_email != participation.person.email
    }
    return Population(
        participations, projects, organisations, persons, used_emails, roster_variants
    )


def _plan(cohort: Cohort) -> CohortPlan:
    plan = COHORT_PLANS.get(cohort.cohort_code)
    if plan is not None:
        return plan
    # A cohort added to the catalog after the demo plans were written (the README's
    # walk-through): it gets the team sizes of its program's latest planned cohort.
    planned = sorted(code for code in COHORT_PLANS if code.startswith(f"{cohort.program_code}_"))
    if not planned:
        raise ValueError(
            f"cohort {cohort.cohort_code} (cohorts.csv) has no demo plan and its program "
            f"{cohort.program_code} has no planned cohort to copy; add its team sizes to "
            "impact_warehouse/demo/generator/population.py COHORT_PLANS"
        )
    return COHORT_PLANS[planned[-1]]


def _cohort_members(
    cohorts: list[Cohort], factory: PersonFactory, rng: random.Random, scale: int
) -> dict[str, list[Person]]:
    members: dict[str, list[Person]] = {}
    cohort_count: dict[int, int] = {}
    for cohort in cohorts:
        size = _plan(cohort).participants * scale
        returning: list[Person] = []
        for earlier, later, count in REPEAT_JOINERS:
            if later != cohort.cohort_code or earlier not in members:
                continue
            # Nobody joins a third cohort: the follow-up's distinct-people count depends on it.
            candidates = [p for p in members[earlier] if cohort_count[p.key] == 1]
            returning.extend(rng.sample(candidates, count * scale))
            for person in returning[-count * scale :]:
                cohort_count[person.key] = 2
        new_people = [factory.create() for _ in range(size - len(returning))]
        for person in new_people:
            cohort_count[person.key] = 1
        cohort_members = returning + new_people
        rng.shuffle(cohort_members)
        members[cohort.cohort_code] = cohort_members
    return members


def _employment_statuses(
    cohorts: list[Cohort], members: dict[str, list[Person]], rng: random.Random, scale: int
) -> dict[tuple[str, int], str]:
    """Employment at entry per (cohort, person); a person in two cohorts of one group and year
    (FY2025: both NEXT programs) keeps one status."""
    groups: dict[tuple[int, str], list[tuple[str, Person]]] = {}
    for cohort in cohorts:
        group = (cohort.fiscal_year, employment_group(cohort.program_code))
        groups.setdefault(group, []).extend(
            (cohort.cohort_code, p) for p in members[cohort.cohort_code]
        )
    statuses: dict[tuple[str, int], str] = {}
    for (fiscal_year, group), entries in groups.items():
        pool = _status_pool(fiscal_year, group, len(entries), rng, scale)
        by_person: dict[int, list[str]] = {}
        for cohort_code, person in entries:
            by_person.setdefault(person.key, []).append(cohort_code)
        remaining = Counter(pool)
        # People entered twice take two slots of the commonest status, then the rest is dealt.
        for key, codes in by_person.items():
            if len(codes) > 1:
                status = max(sorted(remaining), key=remaining.__getitem__)
                remaining[status] -= len(codes)
                statuses.update(((code, key), status) for code in codes)
        dealt = [status for status in sorted(remaining) for _ in range(remaining[status])]
        rng.shuffle(dealt)
        singles = [(codes[0], key) for key, codes in by_person.items() if len(codes) == 1]
        statuses.update(zip(singles, dealt, strict=True))
    return statuses


def _status_pool(
    fiscal_year: int, group: str, size: int, rng: random.Random, scale: int
) -> list[str]:
    if fiscal_year == _REPORTED_FISCAL_YEAR:
        counts = EMPLOYMENT_AT_ENTRY[group]
        pool = [status for status, count in counts.items() for _ in range(count * scale)]
        if len(pool) != size:
            raise ValueError(
                f"fy2025_targets.EMPLOYMENT_AT_ENTRY[{group!r}] sums to {len(pool) // scale}, "
                f"but the FY2025 {group} cohorts have {size // scale} participations"
            )
        return pool
    mix = EMPLOYMENT_MIX[group]
    return rng.choices(list(mix), weights=list(mix.values()), k=size)


def _second_participations(
    cohorts: list[Cohort], members: dict[str, list[Person]]
) -> set[tuple[str, int]]:
    """(cohort, person) pairs that are a person's later participation."""
    seen: set[int] = set()
    later: set[tuple[str, int]] = set()
    for cohort in cohorts:
        for person in members[cohort.cohort_code]:
            if person.key in seen:
                later.add((cohort.cohort_code, person.key))
            seen.add(person.key)
    return later


def _projects(
    cohort: Cohort,
    plan: CohortPlan,
    scale: int,
    catalog: Catalog,
    organisations: dict[str, Organisation],
    rng: random.Random,
) -> list[Project]:
    team_sizes = plan.team_sizes * scale
    supported = [
        _new_organisation(len(organisations) + i + 1, rng)
        for i in range(plan.organisations * scale)
    ]
    organisations.update((org.organisation_id, org) for org in supported)
    # Projects beyond the number of organisations are second teams at an organisation.
    extra = len(team_sizes) - len(supported)
    assigned = supported + (
        rng.sample(supported, extra) if extra <= len(supported) else rng.choices(supported, k=extra)
    )
    prefix = PROJECT_PREFIXES.get(cohort.program_code, cohort.program_code[:2].upper())
    width = max(2, len(str(len(team_sizes))))
    return [
        Project(
            project_id=f"{prefix}{cohort.fiscal_year}-{number:0{width}d}",
            cohort_code=cohort.cohort_code,
            name=_project_name(cohort.program_code, organisation, rng),
            organisation_id=organisation.organisation_id,
            team_size=size,
        )
        for number, (size, organisation) in enumerate(
            zip(team_sizes, assigned, strict=True), start=1
        )
    ]


def _new_organisation(number: int, rng: random.Random) -> Organisation:
    activity, field_ja = rng.choice(names.ORGANISATION_ACTIVITIES)
    prefectures = [name for name, _ in names.PREFECTURES]
    weights = [weight for _, weight in names.PREFECTURES]
    return Organisation(
        organisation_id=f"ORG-{number:04d}",
        name=f"{rng.choice(names.LEGAL_FORMS)} {rng.choice(names.ORGANISATION_WORDS)}{activity}",
        prefecture=rng.choices(prefectures, weights)[0],
        field=field_ja,
    )


def _project_name(program_code: str, organisation: Organisation, rng: random.Random) -> str:
    short_name = organisation.name.split(" ", 1)[1]
    if program_code == "mamabono":
        return f"{short_name} {rng.choice(free_text.MAMABONO_DELIVERABLES)}"
    if program_code == "npo_mentoring":
        return f"{short_name} スタッフメンタリング"
    return f"{rng.choice(free_text.RESEARCH_THEMES)}に関するインタビュー調査"


def _participations(
    cohort: Cohort,
    members: list[Person],
    statuses: dict[tuple[str, int], str],
    projects: list[Project],
    repeaters: set[tuple[str, int]],
    rng: random.Random,
) -> list[Participation]:
    slots = iter(members)
    participations = []
    for project in projects:
        for person in _take(slots, project.team_size):
            later = (cohort.cohort_code, person.key) in repeaters
            rewritten = later and rng.random() < _ROSTER_VARIANT_SHARE
            participations.append(
                Participation(
                    person=person,
                    cohort_code=cohort.cohort_code,
                    employment_status=statuses[(cohort.cohort_code, person.key)],
                    roster_email=email_variant(person.email, rng) if rewritten else person.email,
                    project_id=project.project_id,
                )
            )
    return participations


def _take(items: Iterator[Person], count: int) -> list[Person]:
    return [next(items) for _ in range(count)]


def _distinct_persons(members: dict[str, list[Person]], cohorts: list[Cohort]) -> list[Person]:
    seen: dict[int, Person] = {}
    for cohort in cohorts:
        for person in members[cohort.cohort_code]:
            seen.setdefault(person.key, person)
    return list(seen.values())
