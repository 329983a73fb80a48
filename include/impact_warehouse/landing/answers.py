"""Per-answer work shared by every survey source: privacy first, then scale checks."""

from __future__ import annotations

from impact_warehouse.catalog import Catalog
from impact_warehouse.catalog.answers import check_answer
from impact_warehouse.landing.privacy import Pseudonymiser
from impact_warehouse.landing.quarantine import QuarantineBatch
from impact_warehouse.landing.summary import SourceSummary

# Personal-data items and the pseudonym kind their answers get.
PERSONAL_DATA_KINDS = {"respondent_name": "name", "respondent_phone": "phone"}


def land_answer(
    *,
    catalog: Catalog,
    pseudonymiser: Pseudonymiser,
    item_code: str | None,
    raw: str,
    record_ref: str,
    quarantine: QuarantineBatch,
    summary: SourceSummary,
) -> str:
    """Return the text to keep in landing for one answer.

    Personal data becomes a pseudonym; free text (and answers to unmatched questions, whose
    content nobody has vetted) is scrubbed of emails and phone numbers. Scale answers are
    kept as sent: invalid ones are quarantined with a reason and excluded downstream.
    """
    if item_code is None:
        scrubbed, count = pseudonymiser.scrub_free_text(raw, source=quarantine.source_ref)
        if count:
            summary.normalised["contact_details_scrubbed"] += count
        return scrubbed
    item = catalog.items[item_code]
    if item.is_personal_data:
        kind = PERSONAL_DATA_KINDS.get(item_code, "name")
        return pseudonymiser.pseudonym(kind, raw, source=quarantine.source_ref)
    scale = catalog.scales[item.scale_code]
    if scale.value_type == "text":
        scrubbed, count = pseudonymiser.scrub_free_text(raw, source=quarantine.source_ref)
        if count:
            summary.normalised["contact_details_scrubbed"] += count
        return scrubbed
    check = check_answer(scale, raw)
    if check.reason_code is not None:
        quarantine.add(check.reason_code, record_ref, f"{item_code}: {check.detail}", value=raw)
    elif check.normalised:
        summary.normalised["nfkc_or_whitespace"] += 1
    return raw
