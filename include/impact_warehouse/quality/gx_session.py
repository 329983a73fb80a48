"""A thin wrapper over GX Core 1.x: pandas DataFrames read from DuckDB, one suite per check.

GX's SQL datasource fails on DuckDB here (ARCHITECTURE.md), so every table is read into pandas
and validated as a whole-dataframe batch of an ephemeral context whose Data Docs site writes
into the run's folder.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Great Expectations is first imported through gx_import, which turns GX's analytics off and
# keeps pyspark from ending a `python -c` process.
from impact_warehouse.quality.gx_import import import_great_expectations

import_great_expectations()

import great_expectations as gx  # noqa: E402
import pandas as pd  # noqa: E402
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402

from impact_warehouse.quality.data_docs_safety import (  # noqa: E402
    harden_site,
    sanitise_stored_results,
    stored_summaries,
    write_index,
)

logging.getLogger("great_expectations").setLevel(logging.WARNING)

_SITE = "quality_gate"


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's result with the DataFrame index labels of its unexpected rows."""

    expectation_type: str
    kwargs: dict[str, Any]
    success: bool
    unexpected_index: list[Any]
    result: dict[str, Any]


class GxSession:
    """An ephemeral GX context with a pandas datasource and a Data Docs site in ``docs_dir``."""

    def __init__(self, docs_dir: Path | None) -> None:
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.docs_dir = docs_dir
        if docs_dir is not None:
            docs_dir.mkdir(parents=True, exist_ok=True)
            self.context.add_data_docs_site(
                site_name=_SITE,
                site_config={
                    "class_name": "SiteBuilder",
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                    "store_backend": {
                        "class_name": "TupleFilesystemStoreBackend",
                        "base_directory": str(docs_dir),
                    },
                },
            )
        self.datasource = self.context.data_sources.add_pandas("impact_warehouse")
        # Cells masked as personal data (keys and waves, never values), for the index page.
        self.masked_cells: list[dict[str, Any]] = []

    def validate(
        self, name: str, frame: pd.DataFrame, expectations: list[Any]
    ) -> list[ExpectationOutcome]:
        """Validate ``frame`` against a new suite ``name`` holding ``expectations``."""
        asset = self.datasource.add_dataframe_asset(name)
        batch_definition = asset.add_batch_definition_whole_dataframe(f"{name}_whole")
        # The expectations go in with the suite: added one by one to a stored suite, each is
        # written to the store again (a tenth of the gate on demo data).
        suite = self.context.suites.add(
            gx.ExpectationSuite(name=name, expectations=list(expectations))
        )
        validation = self.context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)
        )
        results = validation.run(
            batch_parameters={"dataframe": frame},
            result_format={"result_format": "COMPLETE"},
        )
        outcomes = []
        for item in results.results:
            config = item.expectation_config
            result = dict(item.result or {})
            index = list(result.get("unexpected_index_list") or [])
            outcomes.append(
                ExpectationOutcome(
                    expectation_type=config.type,
                    kwargs=dict(config.kwargs),
                    success=bool(item.success),
                    unexpected_index=index,
                    result=result,
                )
            )
        return outcomes

    def build_docs(self) -> Path | None:
        if self.docs_dir is None:
            return None
        # Values escaped and cut, privacy suites counts only: see data_docs_safety.
        sanitise_stored_results(self.context)
        self.context.build_data_docs(site_names=[_SITE])
        harden_site(self.docs_dir)
        write_index(self.docs_dir, stored_summaries(self.context, self.docs_dir), self.masked_cells)
        return self.docs_dir
