"""Who took part, at scale 1: cohort sizes, teams, supported organisations, repeat joiners.

Participations per cohort come from the program's records (FY2024 mentoring: 36 mentors in 18
pairs, from the 2024 press release; FY2025: the report's output table). At scale K every
cohort, team count, organisation count and repeat-joiner count is multiplied by K.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CohortPlan:
    team_sizes: tuple[int, ...]  # one project per team; a size of 1 is an individual project
    organisations: int  # distinct organisations supported; extra projects reuse them

    @property
    def participants(self) -> int:
        return sum(self.team_sizes)


COHORT_PLANS: dict[str, CohortPlan] = {
    "mamabono_2022": CohortPlan((6, 6, 6, 6, 6), organisations=5),
    # The trial year: two mentors worked alone, the others in pairs.
    "npo_mentoring_2022": CohortPlan((2, 2, 2, 1, 1), organisations=4),
    "mamabono_2023": CohortPlan((6, 6, 6, 6, 6, 6, 6), organisations=7),
    "npo_mentoring_2023": CohortPlan((2,) * 7, organisations=6),
    "next_research_2024": CohortPlan((10,), organisations=1),
    "mamabono_2024": CohortPlan((6, 6, 6, 6, 6, 5, 5), organisations=7),
    "npo_mentoring_2024": CohortPlan((2,) * 18, organisations=15),
    # FY2025 report: 6 projects / 32 people / 6 organisations; 1 / 13 / 1; 10 pairs / 20 / 8.
    "next_research_2025": CohortPlan((13,), organisations=1),
    "mamabono_2025": CohortPlan((6, 6, 5, 5, 5, 5), organisations=6),
    "npo_mentoring_2025": CohortPlan((2,) * 10, organisations=8),
    "mamabono_2026": CohortPlan((6, 6, 6, 6, 6, 5), organisations=6),
    "npo_mentoring_2026": CohortPlan((2,) * 11, organisations=10),
}

# (earlier cohort, later cohort, people in both). Nobody joins more than two cohorts.
REPEAT_JOINERS: tuple[tuple[str, str, int], ...] = (
    ("mamabono_2022", "npo_mentoring_2022", 2),
    ("mamabono_2022", "next_research_2024", 2),
    # The FY2025 follow-up targets 132 participations of exactly 126 people: 6 in two cohorts.
    ("mamabono_2023", "npo_mentoring_2024", 3),
    ("mamabono_2023", "mamabono_2024", 1),
    ("npo_mentoring_2023", "npo_mentoring_2024", 1),
    ("mamabono_2024", "npo_mentoring_2024", 1),
    # FY2025 NEXT participants who are mamabono alumni, and one in both NEXT programs.
    ("mamabono_2022", "npo_mentoring_2025", 1),
    ("mamabono_2023", "npo_mentoring_2025", 2),
    ("mamabono_2024", "next_research_2025", 2),
    ("next_research_2024", "next_research_2025", 1),
    ("next_research_2025", "npo_mentoring_2025", 1),
    ("mamabono_2025", "npo_mentoring_2026", 2),
    ("npo_mentoring_2025", "npo_mentoring_2026", 2),
)

# Employment at entry (employment_statuses.csv codes) in years without published counts:
# mamabono is for mothers on leave or between jobs, NEXT also takes mothers back at work.
EMPLOYMENT_MIX: dict[str, dict[str, float]] = {
    "mamabono": {
        "on_leave": 0.80,
        "not_working": 0.08,
        "abroad_with_spouse": 0.10,
        "other": 0.02,
    },
    "next": {
        "on_leave": 0.25,
        "not_working": 0.10,
        "full_time": 0.50,
        "freelance": 0.12,
        "other": 0.03,
    },
}


def employment_group(program_code: str) -> str:
    """The report counts employment for ママボノ and for NEXT (both NEXT programs together)."""
    return "mamabono" if program_code == "mamabono" else "next"
