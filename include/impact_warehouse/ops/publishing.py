"""Build → gate → publish in one process, through the functions the ``impact_warehouse`` DAG
tasks call (``warehouse_job``), for ``impact publish`` and ``impact backfill``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from impact_warehouse.catalog import Catalog, load_catalog
from impact_warehouse.settings import Paths

Progress = Callable[[str], Callable[[], None]]


class FiscalYearNotInCatalogError(ValueError):
    """A release was asked for a fiscal year no survey wave of the catalog belongs to."""

    def __init__(self, fiscal_year: int, known: list[int]) -> None:
        super().__init__(
            f"fiscal year {fiscal_year} is not in the catalog (waves.csv has {known}); "
            "not building a release for it"
        )
        self.fiscal_year = fiscal_year
        self.known = known

    @property
    def message_ja(self) -> str:
        years = "、".join(f"{year}年度" for year in self.known) or "(ありません)"
        return (
            f"{self.fiscal_year}年度はカタログ(dbt_project/seeds/waves.csv)にない年度のため、"
            f"公開しません。公開できる年度: {years}"
        )


def catalog_fiscal_years(catalog: Catalog | None = None) -> list[int]:
    catalog = catalog or load_catalog()
    return sorted({wave.fiscal_year for wave in catalog.waves.values()})


def require_catalog_fiscal_year(fiscal_year: int, catalog: Catalog | None = None) -> None:
    """Refuse a fiscal year the catalog does not have: a release labelled with it would be
    announced to staff as new figures of a year that has no survey at all."""
    known = catalog_fiscal_years(catalog)
    if fiscal_year not in known:
        raise FiscalYearNotInCatalogError(fiscal_year, known)


def default_release_fiscal_year(as_of: date, catalog: Catalog | None = None) -> int:
    """Same rule as the DAG: the fiscal year of the latest survey wave closed by ``as_of``."""
    catalog = catalog or load_catalog()
    closed = [wave.fiscal_year for wave in catalog.waves.values() if wave.close_date <= as_of]
    if not closed:
        raise ValueError(
            f"no survey wave in the catalog has closed by {as_of}; pass the fiscal year to release"
        )
    return max(closed)


def build_gate_publish(
    settings: Paths,
    *,
    fiscal_year: int,
    as_of: date,
    run_id: str,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """dbt build of the audit warehouse, then the gate; publishes and renders the reports only
    if the gate passes."""
    from impact_warehouse import warehouse_job  # dbt and GX: imported only when used

    require_catalog_fiscal_year(fiscal_year)  # before a build that could not be published
    done = progress("building the audit warehouse (dbt build)") if progress else None
    build = warehouse_job.build_audit_warehouse(settings)
    if done:
        done()
    done = (
        progress(f"quality gate and publish (FY{fiscal_year}, as of {as_of})") if progress else None
    )
    result = warehouse_job.gate_publish_and_alert(
        settings, fiscal_year=fiscal_year, run_id=run_id, as_of=as_of
    )
    if done:
        done()
    # As the DAG's render_reports task: the release's fiscal year and the one before.
    from impact_warehouse.report.job import render_after_publish

    done = progress("rendering the impact reports") if progress else None
    reports = render_after_publish(result, settings)
    if done:
        done()
    for report in reports:
        print(f"    report FY{report['fiscal_year']}: {report['html']}", flush=True)
    return {"build": build, **result, "reports": reports}
