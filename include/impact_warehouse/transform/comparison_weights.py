"""The panel's weights toward the follow-up respondents (METRICS.md "Adjusted estimates").

Weights = the odds p / (1 − p) of a logistic model of being a follow-up respondent on the
covariates, raking to the respondents' margins when it cannot be fitted; panel members with a
covariate level no respondent has get weight 0. The bootstrap
(:mod:`impact_warehouse.transform.comparison_bootstrap`) refits the weights on every draw, on
covariate cells (:class:`Cells`) so that it is fast and gives the same weights to the last
bit. Used by :mod:`impact_warehouse.transform.comparison_adjustment`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from impact_warehouse.transform.weighting import logistic_propensity, margins, rake


def panel_weights(
    profile: pd.DataFrame | np.ndarray, group: np.ndarray, frequency: np.ndarray | None = None
) -> tuple[np.ndarray, str]:
    """Weights for the panel rows (group 0) that carry the follow-up rows' covariate
    distribution; follow-up rows keep weight 1. ``profile``: covariate levels (a frame, or
    its integer codes as the bootstrap passes them); ``frequency``: how often each row is
    drawn (bootstrap), None = once."""
    codes = encoded(profile) if isinstance(profile, pd.DataFrame) else profile
    frequency = np.ones(len(group)) if frequency is None else frequency.astype(float)
    present = frequency > 0
    supported = np.ones(len(group), dtype=bool)
    for column in codes.T:
        supported &= np.isin(column, column[(group == 1) & present])
    fit_rows = present & (supported | (group == 1))
    weights = np.where(group == 1, 1.0, 0.0)
    panel = fit_rows & (group == 0)
    if not panel.any():
        return weights, "none"
    design = code_matrix(codes[fit_rows], group[fit_rows], frequency[fit_rows])
    probability = logistic_propensity(design, group[fit_rows], frequency[fit_rows])
    if probability is not None:
        weights[fit_rows] = np.where(group[fit_rows] == 1, 1.0, probability / (1 - probability))
        method = "logistic"
    else:
        frame = pd.DataFrame(codes)
        variables = list(frame.columns)
        followup = (group == 1) & present
        target = margins(frame[followup], variables, frequency[followup])
        weights[panel] = (
            rake(frame[panel], variables, target, base=frequency[panel]) / (frequency[panel])
        )
        method = "raking"
    # Scale the panel to the follow-up group's size: the weighted shares do not change.
    panel_total = (weights * frequency)[group == 0].sum()
    if panel_total > 0:
        weights[group == 0] *= frequency[group == 1].sum() / panel_total
    return weights, method


def encoded(profile: pd.DataFrame) -> np.ndarray:
    """The covariate levels as integer codes, one column per covariate."""
    if profile.shape[1] == 0:
        return np.zeros((len(profile), 0), dtype=int)
    return np.column_stack(
        [pd.factorize(profile[column].astype(str), sort=True)[0] for column in profile.columns]
    )


def code_matrix(codes: np.ndarray, group: np.ndarray, frequency: np.ndarray) -> np.ndarray:
    """weighting.model_matrix on integer codes (the bootstrap's fast path): intercept plus
    one indicator per level other than the most common, for levels both groups have."""
    columns = [np.ones(len(codes))]
    for column in codes.T:
        counts = np.bincount(column, weights=frequency)
        reference = int(np.argmax(counts))
        both = np.intersect1d(column[group == 1], column[group == 0])
        columns += [(column == level).astype(float) for level in both if level != reference]
    # Column-major, as pandas hands a frame's block over: the same product, the same bits.
    return np.asfortranarray(np.column_stack(columns))


@dataclass(frozen=True)
class Cells:
    """People with the same covariate levels and group: the bootstrap fits on these few cells
    instead of on every person. The logistic model already sees people with the same design
    row as one row with their count as frequency weight, so the fit gets the same rows in the
    same order and the weights are the same to the last bit as ``panel_weights``."""

    codes: np.ndarray  # one row per person
    group: np.ndarray  # one per person
    cell: np.ndarray  # each person's cell
    cell_codes: np.ndarray  # one row per cell
    cell_group: np.ndarray  # one per cell

    @classmethod
    def of(cls, codes: np.ndarray, group: np.ndarray) -> Cells:
        rows = np.column_stack([codes, group]).astype(int)
        unique, cell = np.unique(rows, axis=0, return_inverse=True)
        return cls(codes, group, cell.ravel(), unique[:, :-1], unique[:, -1])

    def panel_weights(self, frequency: np.ndarray) -> np.ndarray:
        """``panel_weights(codes, group, frequency)[0]``, fitted on the cells."""
        counts = np.bincount(self.cell, weights=frequency, minlength=len(self.cell_group))
        present = counts > 0
        supported = np.ones(len(self.cell_group), dtype=bool)
        for column in self.cell_codes.T:
            supported &= np.isin(column, column[(self.cell_group == 1) & present])
        fit = present & (supported | (self.cell_group == 1))
        if not (fit & (self.cell_group == 0)).any():
            return panel_weights(self.codes, self.group, frequency)[0]
        design = code_matrix(self.cell_codes[fit], self.cell_group[fit], counts[fit])
        probability = logistic_propensity(design, self.cell_group[fit], counts[fit])
        if probability is None:  # raking: rare, and done on people as panel_weights does
            return panel_weights(self.codes, self.group, frequency)[0]
        cell_weights = np.zeros(len(self.cell_group))
        cell_weights[fit] = np.where(
            self.cell_group[fit] == 1, 1.0, probability / (1 - probability)
        )
        frequency = frequency.astype(float)
        weights = np.where(
            fit[self.cell] & (frequency > 0),
            cell_weights[self.cell],
            np.where(self.group == 1, 1.0, 0.0),
        )
        panel_total = (weights * frequency)[self.group == 0].sum()
        if panel_total > 0:
            weights[self.group == 0] *= frequency[self.group == 1].sum() / panel_total
        return weights
