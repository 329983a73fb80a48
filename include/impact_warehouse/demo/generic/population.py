"""Fictitious participants of every cohort in a demo profile, with groups and partners.

A group (a class, a circle) is the operations workbook's project; each group has a partner
organisation. Nobody joins two cohorts: the profile generator keeps people simple, since
cross-year linkage is exercised by the built-in demo.
"""

from __future__ import annotations

from dataclasses import dataclass

from impact_warehouse.catalog import Catalog
from impact_warehouse.demo.generator.people import (
    Organisation,
    Participation,
    Person,
    PersonFactory,
    Population,
    Project,
)
from impact_warehouse.demo.generator.seeding import rng_for
from impact_warehouse.demo.generic.profile import DemoProfile

GROUP_SIZE = 10
_FIELDS = ("人材サービス", "地域の中小企業", "福祉", "IT", "小売")
_PREFECTURES = ("東京都", "神奈川県", "埼玉県", "千葉県", "大阪府")


@dataclass(frozen=True)
class ProfilePopulation:
    population: Population
    cohort_of: dict[int, str]  # person key → her cohort


def build_profile_population(
    catalog: Catalog, profile: DemoProfile, seed: int
) -> ProfilePopulation:
    rng = rng_for(seed, "profile", "people")
    used: set[str] = set()
    factory = PersonFactory(rng, used)
    statuses = sorted(catalog.employment_statuses.values())
    participations: dict[str, list[Participation]] = {}
    projects: dict[str, list[Project]] = {}
    organisations: dict[str, Organisation] = {}
    persons: list[Person] = []
    cohort_of: dict[int, str] = {}
    cohorts = sorted(catalog.cohorts.values(), key=lambda c: (c.start_date, c.cohort_code))
    for cohort in cohorts:
        size = (
            profile.cohorts[cohort.cohort_code].participants
            if cohort.cohort_code in (profile.cohorts)
            else 0
        )
        members = [factory.create() for _ in range(size)]
        persons.extend(members)
        groups = [members[start : start + GROUP_SIZE] for start in range(0, size, GROUP_SIZE)]
        projects[cohort.cohort_code] = []
        participations[cohort.cohort_code] = []
        for number, group in enumerate(groups, start=1):
            organisation_id = f"ORG{len(organisations) + 1:03d}"
            organisations[organisation_id] = Organisation(
                organisation_id,
                f"協力団体{len(organisations) + 1:02d}(架空)",
                rng.choice(_PREFECTURES),
                rng.choice(_FIELDS),
            )
            project_id = f"{cohort.cohort_code.upper()}-G{number:02d}"
            name = f"{catalog.programs[cohort.program_code].program_name_ja} グループ{number}"
            projects[cohort.cohort_code].append(
                Project(project_id, cohort.cohort_code, name, organisation_id, len(group))
            )
            for person in group:
                cohort_of[person.key] = cohort.cohort_code
                participations[cohort.cohort_code].append(
                    Participation(
                        person, cohort.cohort_code, rng.choice(statuses), person.email, project_id
                    )
                )
    population = Population(participations, projects, organisations, persons, used)
    return ProfilePopulation(population, cohort_of)
