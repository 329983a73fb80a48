"""Land the operations workbooks: roster (pseudonymised), projects, organisations, measures."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from impact_warehouse.landing.context import LandingContext
from impact_warehouse.landing.quarantine import QuarantineBatch
from impact_warehouse.landing.store import KEY_FIELD, PartitionStore, new_batch_id, utc_now
from impact_warehouse.landing.summary import SourceSummary
from impact_warehouse.sources.operations_workbook import (
    OperationsWorkbook,
    SheetRows,
    find_operations_workbooks,
    read_operations_workbook,
)

log = logging.getLogger(__name__)
SOURCE = "operations"
PERSONAL_FIELDS = {"name": "name", "email": "email", "phone": "phone"}


def land_operations_workbooks(context: LandingContext) -> list[SourceSummary]:
    return [
        land_operations_workbook(context, read_operations_workbook(path))
        for path in find_operations_workbooks(context.inbox_dir)
    ]


def land_operations_workbook(
    context: LandingContext, workbook: OperationsWorkbook
) -> SourceSummary:
    batch_id = new_batch_id()
    summary = SourceSummary(SOURCE, workbook.path.name)
    quarantine = context.quarantine(SOURCE, workbook.path.name, None, batch_id)
    for sheet_name in workbook.unknown_sheets:
        summary.notes.append(f"sheet {sheet_name!r} is not a known operations sheet; not landed")
    pending: list[tuple[PartitionStore, list[dict[str, Any]]]] = []
    for sheet in workbook.sheets:
        if sheet.missing_headers:
            summary.notes.append(
                f"sheet {sheet.sheet_name!r} lacks columns {sheet.missing_headers}"
            )
        if sheet.unknown_headers:
            summary.unmatched_questions.extend(
                f"{sheet.sheet_name}: {header!r}" for header in sheet.unknown_headers
            )
        store = PartitionStore(context.landing_dir / SOURCE / sheet.entity)
        records = _sheet_records(context, workbook, sheet, store, quarantine, summary, batch_id)
        pending.append((store, records))
    context.vault.flush()
    for store, records in pending:
        summary.landed += store.append(records, batch_id=batch_id, part_label="rows")
    summary.quarantined.update(quarantine.commit(context.landing_dir, "rows"))
    log.info(
        "operations %s: %d rows, %d landed", workbook.path.name, summary.received, summary.landed
    )
    return summary


def _sheet_records(
    context: LandingContext,
    workbook: OperationsWorkbook,
    sheet: SheetRows,
    store: PartitionStore,
    quarantine: QuarantineBatch,
    summary: SourceSummary,
    batch_id: str,
) -> list[dict[str, Any]]:
    """Records of one sheet not landed before; checks and counts only those."""
    catalog = context.catalog
    program_codes = {p.program_name_ja: code for code, p in catalog.programs.items()}
    records = []
    for row_number, row in sheet.rows:
        summary.received += 1
        record_ref = f"{workbook.path.name} {sheet.sheet_name} row {row_number}"
        fields: dict[str, Any] = dict(row)
        if sheet.entity == "roster" and not fields.get("email"):
            quarantine.add("missing_id", record_ref, "メールアドレス is blank; cannot link")
            continue
        email_written_differently = (
            sheet.entity == "roster" and fields["email"] != fields["email"].strip().lower()
        )
        if sheet.entity == "roster":
            for field_name, kind in PERSONAL_FIELDS.items():
                value = fields.pop(field_name, "")
                fields[f"{field_name}_pseudonym"] = (
                    context.pseudonymiser.pseudonym(kind, value, source=workbook.path.name)
                    if value
                    else None
                )
            fields["participant_pseudonym"] = fields["email_pseudonym"]
        has_program = "program_name_ja" in fields and fields["program_name_ja"] != "全体"
        if has_program:
            fields["program_code"] = program_codes.get(fields["program_name_ja"])
        content = json.dumps(fields, sort_keys=True, ensure_ascii=False)
        key = hashlib.sha256(f"{sheet.entity}|{content}".encode()).hexdigest()[:40]
        if store.is_landed(key):
            summary.already_landed += 1
            continue
        if email_written_differently:
            summary.normalised["email_case_or_whitespace"] += 1
        checks = []
        if sheet.entity == "roster":
            checks += [
                (fields.get("cohort_code"), catalog.cohorts, "cohort_code"),
                (
                    fields.get("employment_status_ja"),
                    catalog.employment_statuses,
                    "employment_status_ja",
                ),
            ]
        if has_program:
            checks.append((fields["program_name_ja"], program_codes, "program_name_ja"))
        for value, allowed, column in checks:
            _check_label(value, allowed, column, record_ref, quarantine)
        records.append(
            {
                **fields,
                KEY_FIELD: key,
                "source_file": workbook.path.name,
                "source_file_sha256": workbook.sha256,
                "sheet_name": sheet.sheet_name,
                "row_number": row_number,
                "batch_id": batch_id,
                "landed_at": utc_now(),
            }
        )
    return records


def _check_label(
    value: str | None,
    allowed: dict[str, Any],
    column: str,
    record_ref: str,
    quarantine: QuarantineBatch,
) -> None:
    if value not in allowed:
        quarantine.add("unknown_label", record_ref, f"{column}={value!r} is not in the catalog")
