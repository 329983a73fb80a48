"""Synthetic data for the adjusted-estimate tests: a yes/no scale catalog and frames shaped
like marts.fct_answers, int_wave_targets, fct_responses and the covariates seed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from impact_warehouse.transform.outcome_rules import ScaleRules, scale_rules


def yesno_rules() -> ScaleRules:
    scales = pd.DataFrame(
        [
            {
                "scale_code": "yesno",
                "value_type": "code",
                "min_value": 0,
                "max_value": 1,
                "step": 1,
            },
            {
                "scale_code": "band3",
                "value_type": "code",
                "min_value": 1,
                "max_value": 3,
                "step": 1,
            },
        ]
    )
    measures = pd.DataFrame(
        [
            {
                "scale_code": "yesno",
                "measure_code": "yes",
                "operator": "=",
                "threshold": 1,
                "good_direction": "higher",
                "is_primary": True,
                "follow_group_at_pre": False,
            }
        ]
    )
    labels = pd.DataFrame(
        [{"scale_code": "yesno", "value_code": v} for v in (0, 1)]
        + [{"scale_code": "band3", "value_code": v} for v in (1, 2, 3)]
    )
    return scale_rules(scales, measures, labels)


def answer_rows(
    wave_type: str,
    keys: list[str],
    item_code: str,
    scale_code: str,
    values: np.ndarray,
    fiscal_year: int = 2025,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "fiscal_year": fiscal_year,
            "wave_code": f"{wave_type}_{fiscal_year}",
            "wave_type": wave_type,
            "respondent_key": keys,
            "participant_key": keys if wave_type != "comparison" else None,
            "cohort_code": "c1" if wave_type in ("pre", "post") else None,
            "item_code": item_code,
            "scale_code": scale_code,
            "indicator_code": "I1" if scale_code == "yesno" else None,
            "value_numeric": values.astype(float),
            "is_counted": True,
        }
    )


def comparison_sample(
    rng: np.random.Generator, n_followup: int, n_panel: int, effect: float = 0.1
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Follow-up respondents and a panel whose covariate (band, 1..3) distributions differ;
    the outcome depends on the band, and participants answer yes ``effect`` more often than
    panel members of the same band, so the true difference is ``effect``."""
    base = np.array([0.2, 0.4, 0.7])
    band_f = rng.choice([1, 2, 3], n_followup, p=[0.2, 0.3, 0.5])
    band_p = rng.choice([1, 2, 3], n_panel, p=[0.5, 0.3, 0.2])
    y_f = rng.random(n_followup) < base[band_f - 1] + effect
    y_p = rng.random(n_panel) < base[band_p - 1]
    keys_f = [f"f{i}" for i in range(n_followup)]
    keys_p = [f"p{i}" for i in range(n_panel)]
    answers = pd.concat(
        [
            answer_rows("followup", keys_f, "band", "band3", band_f),
            answer_rows("comparison", keys_p, "band", "band3", band_p),
            answer_rows("followup", keys_f, "outcome", "yesno", y_f),
            answer_rows("comparison", keys_p, "outcome", "yesno", y_p),
        ],
        ignore_index=True,
    )
    covariates = pd.DataFrame(
        [
            {
                "item_code": "band",
                "covariate_ja": "区分",
                "covariate_en": "band",
                "panel_screening_values": "1|2",
                "display_order": 1,
            }
        ]
    )
    return answers, covariates


def nonresponse_sample(
    rng: np.random.Generator, n_targeted: int
) -> tuple[dict[str, pd.DataFrame], float]:
    """A follow-up wave whose response depends on a baseline (pre) answer that also drives
    the outcome: respondents answer yes more often than the people targeted. Returns the
    frames compute_nonresponse reads and the true share among everyone targeted."""
    keys = [f"t{i}" for i in range(n_targeted)]
    baseline = rng.random(n_targeted) < 0.5
    program = np.where(rng.random(n_targeted) < 0.5, "prog_a", "prog_b")
    employed = np.where(rng.random(n_targeted) < 0.6, "employed", "on_leave")
    responded = rng.random(n_targeted) < np.where(baseline, 0.55, 0.2)
    outcome = rng.random(n_targeted) < np.where(baseline, 0.75, 0.3)
    respondents = [k for k, r in zip(keys, responded, strict=True) if r]
    frames = {
        "wave_targets": pd.DataFrame(
            {
                "wave_code": "followup_2025",
                "participant_key": keys,
                "cohort_code": "c1",
                "program_code": program,
            }
        ),
        "waves": pd.DataFrame(
            [{"wave_code": "followup_2025", "fiscal_year": 2025, "wave_type": "followup"}]
        ),
        "cohorts": pd.DataFrame([{"cohort_code": "c1", "fiscal_year": 2024}]),
        "participation": pd.DataFrame(
            {"participant_key": keys, "cohort_code": "c1", "employment_status_code": employed}
        ),
        "responses": pd.DataFrame(
            {"wave_code": "followup_2025", "participant_key": respondents, "is_counted": True}
        ),
        "answers": pd.concat(
            [
                answer_rows("pre", keys, "base", "yesno", baseline, fiscal_year=2024),
                answer_rows("followup", respondents, "outcome", "yesno", outcome[responded]),
            ],
            ignore_index=True,
        ),
    }
    return frames, float(outcome.mean())
