"""The gate's checks: each reads DuckDB into pandas, validates it with a GX suite and turns the
unexpected rows into findings located by program / cohort / wave. One module per kind of check;
``CHECKS`` lists them in the order the gate runs them (config.py names them the same)."""

from __future__ import annotations

from collections.abc import Callable

# First, before any check imports Great Expectations (gx_import says why).
from impact_warehouse.quality.gx_import import import_great_expectations

import_great_expectations()

from impact_warehouse.quality.checks.context import CheckContext  # noqa: E402
from impact_warehouse.quality.checks.freshness import check_freshness  # noqa: E402
from impact_warehouse.quality.checks.integrity import (  # noqa: E402
    check_answers_map_to_catalog,
    check_fact_keys_exist,
    check_linkage_rate,
    check_unique_participant_wave,
)
from impact_warehouse.quality.checks.response_rate import check_response_rate  # noqa: E402
from impact_warehouse.quality.checks.scales import check_hours_plausible, check_scale_domain  # noqa: E402
from impact_warehouse.quality.checks.suppression import check_suppression  # noqa: E402
from impact_warehouse.quality.model import Finding  # noqa: E402
from impact_warehouse.quality.privacy_findings import check_no_personal_data  # noqa: E402

__all__ = ["CHECKS", "CheckContext"]

CHECKS: dict[str, Callable[[CheckContext], list[Finding]]] = {
    "response_rate": check_response_rate,
    "scale_domain": check_scale_domain,
    "hours_plausible": check_hours_plausible,
    "unique_participant_wave": check_unique_participant_wave,
    "answers_map_to_catalog": check_answers_map_to_catalog,
    "fact_keys_exist": check_fact_keys_exist,
    "linkage_rate": check_linkage_rate,
    "no_personal_data": check_no_personal_data,
    "freshness": check_freshness,
    "suppression": check_suppression,
}
