"""The FY2025 impact report as answer counts: what the demo data must contain, at scale 1.

Each count is a number of *linked* respondents (latest submission per person, METRICS.md)
giving that answer. A wave's respondents who are not counted under an item left it blank, which
is how denominators below the number of respondents (41, 42, 40 …) arise. Answer codes are the
scale's ``value_code`` (scale_labels.csv: likert4 4 = そう思う … 1 = そう思わない; yesno
1 = はい, 0 = いいえ) or the score itself. At scale K every count is multiplied by K, so every
share stays the same. The comment on each row is the figure it reproduces.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# Output table "就業状況内訳": participations by employment at entry (mamabono / NEXT).
EMPLOYMENT_AT_ENTRY: dict[str, dict[str, int]] = {
    "mamabono": {"on_leave": 26, "not_working": 2, "abroad_with_spouse": 4},  # 32
    "next": {"on_leave": 8, "not_working": 4, "full_time": 17, "freelance": 4},  # 33
}


@dataclass(frozen=True)
class SupportMeasure:
    held_on: date
    measure_type: str  # support_measure_types.csv
    program_code: str | None  # None: for every program (全体)
    name: str
    participants: int


# 3 study sessions (mamabono 2 / mentoring 1), 5 reflection meetings (mamabono 2 / research 1 /
# mentoring 2), 3 work-life events.
SUPPORT_MEASURES: tuple[SupportMeasure, ...] = (
    SupportMeasure(date(2025, 6, 21), "work_life_event", None, "復職準備セミナー", 45),
    SupportMeasure(
        date(2025, 9, 6), "reflection_meeting", "next_research", "インタビュー調査 振り返り会", 11
    ),
    SupportMeasure(
        date(2025, 9, 27), "work_life_event", None, "先輩ママと話す両立トークイベント", 38
    ),
    SupportMeasure(
        date(2025, 10, 4), "study_session", "mamabono", "プロボノ基礎講座（動画提供）", 32
    ),
    SupportMeasure(date(2025, 10, 18), "study_session", "mamabono", "NPOの基礎知識勉強会", 24),
    SupportMeasure(
        date(2025, 11, 8), "study_session", "npo_mentoring", "傾聴とコーチングの勉強会", 18
    ),
    SupportMeasure(date(2025, 11, 12), "reflection_meeting", "mamabono", "中間共有会", 28),
    SupportMeasure(date(2025, 12, 6), "reflection_meeting", "npo_mentoring", "中間共有会", 17),
    SupportMeasure(
        date(2025, 12, 13), "reflection_meeting", "mamabono", "最終報告・振り返り会", 30
    ),
    SupportMeasure(
        date(2026, 1, 24), "reflection_meeting", "npo_mentoring", "メンタリング振り返り会", 19
    ),
    SupportMeasure(
        date(2026, 2, 14), "work_life_event", None, "パートナーと考える家事シェア講座", 26
    ),
)


@dataclass(frozen=True)
class ShortTermResponders:
    """Who answered the pre and post forms of one cohort (people, not submissions)."""

    pre_and_post: int
    pre_only: int
    post_only: int


# Post: mamabono 32 targeted / 24 responded (75%), mentoring 20 / 20 (100%). Pre: 30 + 19 = 49.
SHORT_TERM_RESPONDERS: dict[str, ShortTermResponders] = {
    "mamabono_2025": ShortTermResponders(pre_and_post=23, pre_only=7, post_only=1),
    "npo_mentoring_2025": ShortTermResponders(pre_and_post=19, pre_only=0, post_only=1),
}

# Score items of pre and post (both cohorts pooled), as histograms {score: respondents}.
PRE_SCORES: dict[str, dict[int, int]] = {
    "career_confidence": {
        2: 2,
        3: 4,
        4: 7,
        5: 9,
        6: 7,
        7: 8,
        8: 5,
        9: 2,
        10: 1,
    },  # ≥6 23/45 = 51.1%
    # ≤5 (anxious) 27/48 = 56.3%; ≤3 (strongly anxious) N = 6
    "return_anxiety": {1: 1, 2: 2, 3: 3, 4: 9, 5: 12, 6: 8, 7: 7, 8: 4, 9: 1, 10: 1},
}
POST_SCORES: dict[str, dict[int, int]] = {
    "career_confidence": {3: 1, 4: 3, 5: 6, 6: 7, 7: 9, 8: 9, 9: 4, 10: 2},  # ≥6 31/41 = 75.6%
    "return_anxiety": {2: 1, 3: 2, 4: 8, 5: 11, 6: 9, 7: 7, 8: 3, 9: 1, 10: 1},  # ≤5 22/43 = 51.2%
}
STRONGLY_ANXIOUS_AT_MOST = 3

# Where the score items' blanks fall, by responder group. Placed rather than random so the
# paired subset is fixed: career confidence is paired for 42 - 2 - 2 = 38 people.
SCORE_BLANKS: dict[tuple[str, str], dict[str, int]] = {
    ("pre", "career_confidence"): {"pre_and_post": 2, "pre_only": 2},
    ("post", "career_confidence"): {"pre_and_post": 2, "post_only": 1},
    ("pre", "return_anxiety"): {"pre_only": 1},
    ("post", "return_anxiety"): {"pre_and_post": 1},
}

# Post likert items, 44 respondents pooled: {4 そう思う, 3 ややそう思う, 2 あまり…, 1 そう思わない}.
POST_LIKERT: dict[str, dict[int, int]] = {
    "perspective_broadened": {4: 24, 3: 17, 2: 3},  # 41/44 = 93.2%
    "learning_gained": {4: 22, 3: 18, 2: 4},  # 40/44 = 90.9%
    "skill_recognised": {4: 15, 3: 21, 2: 4, 1: 1},  # 36/41 = 87.8%
    "work_practice_changed": {4: 6, 3: 16, 2: 18, 1: 4},  # 22/44 = 50.0% (about half)
    "social_issue_interest": {4: 16, 3: 21, 2: 6, 1: 1},  # 37/44 = 84.1%
    "volunteering_interest": {4: 13, 3: 23, 2: 7, 1: 1},  # 36/44 = 81.8%
    "npo_view_changed": {4: 17, 3: 21, 2: 5, 1: 1},  # 38/44 = 86.4%
    "anxiety_relieved": {4: 8, 3: 20, 2: 12, 1: 2},  # 28/42 = 66.7%
    "work_sense_regained": {4: 9, 3: 20, 2: 13, 1: 2},  # 29/44 = 65.9%
    "leadership_confidence": {4: 7, 3: 23, 2: 12, 1: 2},  # 30/44 = 68.2%
    "working_parent_practice": {4: 2, 3: 5, 2: 20, 1: 14},  # 7/41 = 17.1%
    "social_connection_felt": {4: 20, 3: 18, 2: 2},  # 38/40 = 95.0%
    "social_usefulness_felt": {4: 12, 3: 23, 2: 6, 1: 1},  # 35/42 = 83.3%
    "partner_discussion_opportunity": {4: 6, 3: 18, 2: 14, 1: 5},  # 24/43 = 55.8%
}

# Follow-up: 126 people targeted (mamabono + mentoring FY2023 and FY2024), 32 responded.
FOLLOWUP_RESPONDENTS = 32
# Comparison panel: 309 women (the delivery holds one more row: an exact duplicate).
COMPARISON_ROWS = 309

# Follow-up vs comparison; the comment gives follow-up share − comparison share in points.
FOLLOWUP_ANSWERS: dict[str, dict[int, int]] = {
    "career_confidence": {3: 1, 4: 2, 5: 3, 6: 5, 7: 7, 8: 8, 9: 4, 10: 2},  # 26/32: +39.8
    "social_usefulness_felt": {4: 5, 3: 13, 2: 10, 1: 2},  # 18/30 = 60.0%
    "challenged_at_work": {1: 20, 0: 12},  # 20/32 vs 84/309: +35.3
    "work_value_confidence": {4: 9, 3: 17, 2: 5, 1: 1},  # 26/32 vs 176/309
    "wants_challenge_at_work": {4: 16, 3: 15, 2: 1},  # 31/32 vs 121/309: +57.7
    "leader_impact_confidence": {4: 8, 3: 16, 2: 7, 1: 1},  # 24/32 vs 139/309
    "challenged_in_private": {1: 17, 0: 15},  # 17/32 vs 44/309: +38.9
    "wants_challenge_in_private": {4: 12, 3: 16, 2: 4},  # 28/32 vs 105/309: +53.5
    "self_care_as_parent": {4: 11, 3: 16, 2: 3},  # 27/30 = 90.0%
    "connections_widened": {1: 22, 0: 10},  # 22/32 vs 75/308: +44.4
    "wants_wider_connections": {4: 13, 3: 15, 2: 3, 1: 1},  # 28/32 vs 122/309: +48.0
    "partner_discussion_increased": {1: 18, 0: 14},  # 18/32 vs 112/309
    "assigned_auxiliary_work": {4: 3, 3: 7, 2: 14, 1: 8},  # 10/32 = 31.3% vs 30.1%
    "unfair_evaluation": {4: 4, 3: 8, 2: 13, 1: 7},  # 12/32 = 37.5% vs 35.9%
}
COMPARISON_ANSWERS: dict[str, dict[int, int]] = {
    "career_confidence": {1: 8, 2: 12, 3: 25, 4: 40, 5: 96, 6: 52, 7: 38, 8: 25, 9: 8, 10: 5},
    "social_usefulness_felt": {4: 22, 3: 106, 2: 131, 1: 50},  # 128/309 = 41.4%
    "challenged_at_work": {1: 84, 0: 225},  # 27.2%
    "work_value_confidence": {4: 38, 3: 138, 2: 104, 1: 29},  # 57.0%
    "wants_challenge_at_work": {4: 21, 3: 100, 2: 133, 1: 55},  # 39.2%
    "leader_impact_confidence": {4: 27, 3: 112, 2: 119, 1: 51},  # 45.0%
    "challenged_in_private": {1: 44, 0: 265},  # 14.2%
    "wants_challenge_in_private": {4: 18, 3: 87, 2: 146, 1: 58},  # 34.0%
    "self_care_as_parent": {4: 51, 3: 164, 2: 79, 1: 15},  # 69.6%
    "connections_widened": {1: 75, 0: 233},  # 24.4%, one blank
    "wants_wider_connections": {4: 20, 3: 102, 2: 138, 1: 49},  # 39.5%
    "partner_discussion_increased": {1: 112, 0: 197},  # 36.2%
    "assigned_auxiliary_work": {4: 21, 3: 72, 2: 150, 1: 66},  # 30.1%
    "unfair_evaluation": {4: 26, 3: 85, 2: 139, 1: 59},  # 35.9%
}


@dataclass(frozen=True)
class TimeUseTarget:
    """Mean weekly-average housework hours per day, (5 × weekday + 2 × weekend) / 7."""

    self_hours: float
    partner_hours: float
    excluded_respondents: int  # a blank or invalid hours answer keeps them out of time use


# Partner +0.60 h/day (about 30 minutes); partner share, partner / (self + partner), is
# 2.40 / 9.53 = 25.18% vs 1.80 / 7.80 = 23.08%: +2.1 points.
TIME_USE: dict[str, TimeUseTarget] = {
    "followup_2025": TimeUseTarget(self_hours=7.13, partner_hours=2.40, excluded_respondents=3),
    "comparison_2025": TimeUseTarget(self_hours=6.00, partner_hours=1.80, excluded_respondents=1),
}

FY2025_WAVES = (
    "mamabono_2025_pre",
    "npo_mentoring_2025_pre",
    "mamabono_2025_post",
    "npo_mentoring_2025_post",
    "followup_2025",
    "comparison_2025",
)


def scaled(counts: dict[int, int], scale: int) -> dict[int, int]:
    return {value: count * scale for value, count in counts.items()}
