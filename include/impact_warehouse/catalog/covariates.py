"""Covariates as data: ``covariates.csv``, read and checked against the items and scales.

METRICS.md "Adjusted estimates": the items that describe who answered (age band, region,
employment, …), asked identically of the follow-up participants and the comparison panel, so
the panel can be compared like for like and re-weighted to the participants. Each row names
an item, its label for the report, and the scale values that meet the panel's screening
(``panel_screening_values``, pipe-separated value codes; empty: the panel is not screened
on it). The file is optional: a catalog without it has no adjusted comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from impact_warehouse.catalog.csv_rows import Row, read_rows, whole_number
from impact_warehouse.catalog.errors import check_new, required, required_code
from impact_warehouse.catalog.model import Catalog, CatalogError
from impact_warehouse.settings import catalog_dir

COVARIATES_FILE = "covariates.csv"
# A covariate is compared between these two wave types, so it must be asked in both.
ASKED_IN = ("followup", "comparison")


@dataclass(frozen=True)
class Covariate:
    item_code: str
    covariate_ja: str
    covariate_en: str
    panel_screening_values: tuple[int, ...]  # () : the panel is not screened on it
    display_order: int

    def meets_screening(self, value_code: int) -> bool:
        """Whether an answer meets the panel's screening (always, when it is not screened)."""
        return not self.panel_screening_values or value_code in self.panel_screening_values


def load_covariates(catalog: Catalog, seed_dir: Path | None = None) -> dict[str, Covariate]:
    """Every row of ``covariates.csv`` by item code, checked; a missing file means none."""
    seed_dir = seed_dir or catalog_dir()
    if not (seed_dir / COVARIATES_FILE).exists():
        return {}
    covariates: dict[str, Covariate] = {}
    for line, row in read_rows(seed_dir, COVARIATES_FILE):
        covariate = _covariate(row, catalog)
        check_new(COVARIATES_FILE, line, "item_code", covariate.item_code, covariates)
        covariates[covariate.item_code] = covariate
    return dict(sorted(covariates.items(), key=lambda pair: (pair[1].display_order, pair[0])))


def _covariate(row: Row, catalog: Catalog) -> Covariate:
    line = row.line
    item_code = required_code(COVARIATES_FILE, line, row, "item_code")
    item = catalog.items.get(item_code)
    if item is None:
        raise CatalogError(
            f"{COVARIATES_FILE} line {line}: item {item_code!r} is not in items.csv; add the "
            "item there (with its wording and scale) or correct the code"
        )
    missing = [wave_type for wave_type in ASKED_IN if wave_type not in item.asked_in]
    if missing:
        raise CatalogError(
            f"{COVARIATES_FILE} line {line}: item {item_code} is not asked in {missing} "
            f"(items.csv asked_in is {'|'.join(item.asked_in)}); a covariate compares the "
            "follow-up participants with the comparison panel, so it must be asked of both: "
            "set asked_in to include followup|comparison"
        )
    scale = catalog.scales[item.scale_code]
    if not scale.labels:
        raise CatalogError(
            f"{COVARIATES_FILE} line {line}: item {item_code} is on scale {scale.scale_code}, "
            "which has no answer labels; give the covariate a scale with labelled choices "
            "(scale_labels.csv, value codes 1..n)"
        )
    return Covariate(
        item_code=item_code,
        covariate_ja=required(COVARIATES_FILE, line, row, "covariate_ja"),
        covariate_en=row["covariate_en"].strip(),
        panel_screening_values=_screening_values(row, item_code, scale.scale_code, catalog),
        display_order=whole_number(row, "display_order"),
    )


def _screening_values(
    row: Row, item_code: str, scale_code: str, catalog: Catalog
) -> tuple[int, ...]:
    text = row["panel_screening_values"].strip()
    if not text:
        return ()
    labels = catalog.scales[scale_code].labels
    codes = {code: label for label, code in labels.items()}
    values: list[int] = []
    for part in text.split("|"):
        part = part.strip()
        try:
            value = int(part)
        except ValueError:
            value = None
        if value is None or value not in codes:
            choices = ", ".join(f"{code}={label}" for code, label in sorted(codes.items()))
            raise CatalogError(
                f"{COVARIATES_FILE} line {row.line}: panel_screening_values {part!r} of "
                f"{item_code} is not a value code of scale {scale_code} ({choices}); write the "
                "codes that meet the panel's screening, separated by |, e.g. 1|2"
            )
        if value in values:
            raise CatalogError(
                f"{COVARIATES_FILE} line {row.line}: panel_screening_values of {item_code} "
                f"lists {value} twice; list each value code once"
            )
        values.append(value)
    return tuple(sorted(values))
