"""Covariate balance of the adjusted comparison (METRICS.md "Adjusted estimates"): per
covariate level, the share among follow-up respondents and in the panel before and after the
panel is re-weighted, and the absolute standardised mean difference (ASMD) of each, the
numbers of the love plot. Target: every ASMD after weighting below 0.1."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from impact_warehouse.transform.weighting import smd

BALANCE_COLUMNS = {
    "covariate_balance_key": "string",
    "fiscal_year": "Int64",
    "item_code": "string",
    "level": "string",
    "followup_n": "Int64",
    "comparison_n": "Int64",
    "followup_share": "Float64",
    "comparison_share": "Float64",
    "comparison_weighted_share": "Float64",
    "asmd_before": "Float64",
    "asmd_after": "Float64",
    "meets_panel_screening": "boolean",
    "weighting_method": "string",
}


@dataclass(frozen=True)
class Groups:
    """Follow-up respondents (group 1) and panel members (group 0), one row each."""

    profile: pd.DataFrame  # covariate levels, one column per covariate item
    group: np.ndarray
    outcomes: dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]]  # hit, answered


def balance_rows(
    fiscal_year: int,
    groups: Groups,
    weights: np.ndarray,
    method: str,
    screening: dict[str, set[str]],
) -> pd.DataFrame:
    followup, panel = groups.group == 1, groups.group == 0
    rows = []
    for variable in groups.profile.columns:
        values = groups.profile[variable].astype(str).to_numpy()
        for level in sorted(np.unique(values)):
            hit = (values == level).astype(float)
            share_f, share_p = hit[followup].mean(), hit[panel].mean()
            panel_weights_ = weights[panel]
            weighted = (
                float((hit[panel] * panel_weights_).sum() / panel_weights_.sum())
                if panel_weights_.sum() > 0
                else np.nan
            )
            rows.append(
                {
                    "fiscal_year": fiscal_year,
                    "item_code": variable,
                    "level": level,
                    "followup_n": int(hit[followup].sum()),
                    "comparison_n": int(hit[panel].sum()),
                    "followup_share": share_f,
                    "comparison_share": share_p,
                    "comparison_weighted_share": weighted,
                    "asmd_before": abs(smd(share_f, share_p, share_f, share_p)),
                    "asmd_after": abs(smd(share_f, weighted, share_f, share_p))
                    if np.isfinite(weighted)
                    else np.nan,
                    "meets_panel_screening": level in screening.get(variable, {level}),
                    "weighting_method": method,
                }
            )
    return pd.DataFrame(rows)
