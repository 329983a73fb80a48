"""Land the operations workbooks: roster (pseudonymised), projects, organisations, measures.

Every row received is landed, skipped as already landed, or rejected with a quarantine
reason (``received == landed + already_landed + rejected``). A file that cannot be read, or
a sheet without the columns its rows need, is counted in ``rejected_files`` and never stops
the other workbooks (issue 11).
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from impact_warehouse.landing.context import LandingContext
from impact_warehouse.landing.emails import email_problem, has_format_characters
from impact_warehouse.landing.privacy import without_bidi_controls
from impact_warehouse.landing.quarantine import QuarantineBatch
from impact_warehouse.landing.store import KEY_FIELD, PartitionStore, new_batch_id, utc_now
from impact_warehouse.landing.summary import SourceSummary
from impact_warehouse.sources.operations_workbook import (
    SHEETS,
    OperationsWorkbook,
    SheetRow,
    SheetRows,
    UnreadableWorkbook,
    read_operations_workbook,
    scan_operations_inbox,
)

log = logging.getLogger(__name__)
SOURCE = "operations"
PERSONAL_FIELDS = {"name": "name", "email": "email", "phone": "phone"}


def land_operations_workbooks(context: LandingContext) -> list[SourceSummary]:
    summaries = []
    for entry in scan_operations_inbox(context.inbox_dir):
        workbook = read_operations_workbook(entry) if isinstance(entry, Path) else entry
        if isinstance(workbook, UnreadableWorkbook):
            summaries.append(_reject_file(context, workbook))
        else:
            summaries.append(land_operations_workbook(context, workbook))
    return summaries


def _reject_file(context: LandingContext, workbook: UnreadableWorkbook) -> SourceSummary:
    summary = SourceSummary(SOURCE, workbook.path.name)
    summary.rejected_files[workbook.reason_code] += 1
    summary.notes.append(f"{workbook.path.name}: {workbook.detail}; not read")
    quarantine = context.quarantine(SOURCE, workbook.path.name, None, new_batch_id())
    quarantine.add(workbook.reason_code, workbook.path.name, workbook.detail)
    summary.quarantined.update(quarantine.commit(context.landing_dir, "file"))
    log.warning("operations %s not read: %s", workbook.path.name, workbook.detail)
    return summary


def land_operations_workbook(
    context: LandingContext, workbook: OperationsWorkbook
) -> SourceSummary:
    batch_id = new_batch_id()
    summary = SourceSummary(SOURCE, workbook.path.name)
    quarantine = context.quarantine(SOURCE, workbook.path.name, None, batch_id)
    for sheet_name in workbook.unknown_sheets:
        shown = context.shown_to_staff(sheet_name, workbook.path.name)
        summary.notes.append(f"sheet {shown!r} is not a known operations sheet; not landed")
    for sheet_name in workbook.missing_sheets:
        quarantine.add(
            "missing_sheet", f"{workbook.path.name} {sheet_name}", f"no sheet named {sheet_name!r}"
        )
    pending: list[tuple[PartitionStore, list[dict[str, Any]]]] = []
    for sheet in workbook.sheets:
        sheet_ref = f"{workbook.path.name} {sheet.sheet_name}"
        if sheet.missing_required_headers:
            summary.rejected_files["missing_column"] += 1
            quarantine.add(
                "missing_column",
                sheet_ref,
                f"sheet {sheet.sheet_name!r} lacks columns {sheet.missing_required_headers}; "
                f"its {len(sheet.rows)} rows were not landed",
            )
            continue
        if sheet.missing_headers:
            summary.notes.append(
                f"sheet {sheet.sheet_name!r} lacks columns {sheet.missing_headers}"
            )
        if sheet.unknown_headers:
            summary.unmatched_questions.extend(
                f"{sheet.sheet_name}: {context.shown_to_staff(header, workbook.path.name)!r}"
                for header in sheet.unknown_headers
            )
        store = PartitionStore(context.landing_dir / SOURCE / sheet.entity)
        records = _SheetLander(context, workbook, sheet, quarantine, summary, batch_id).records(
            store
        )
        pending.append((store, records))
    # The vault must hold a pseudonym's contact before any landed record refers to it.
    context.vault.flush()
    # Quarantine first: a re-read of landed rows skips them before any check, so a killed
    # run must not leave landed rows without their quarantine notes.
    summary.quarantined.update(quarantine.commit(context.landing_dir, "rows"))
    for store, records in pending:
        summary.landed += store.append(records, batch_id=batch_id, part_label="rows")
    log.info(
        "operations %s: %d rows, %d landed, %d rejected",
        workbook.path.name,
        summary.received,
        summary.landed,
        summary.rejected,
    )
    return summary


class _SheetLander:
    """Checks and pseudonymises the rows of one sheet."""

    def __init__(
        self,
        context: LandingContext,
        workbook: OperationsWorkbook,
        sheet: SheetRows,
        quarantine: QuarantineBatch,
        summary: SourceSummary,
        batch_id: str,
    ) -> None:
        self.context = context
        self.workbook = workbook
        self.sheet = sheet
        self.quarantine = quarantine
        self.summary = summary
        self.batch_id = batch_id
        self.program_codes = {
            program.program_name_ja: code for code, program in context.catalog.programs.items()
        }

    def records(self, store: PartitionStore) -> list[dict[str, Any]]:
        """Records of the sheet not landed before; checks and counts only those."""
        records = []
        first_row_of_key: dict[str, int] = {}
        for row in self.sheet.rows:
            self.summary.received += 1
            record_ref = f"{self.workbook.path.name} {self.sheet.sheet_name} row {row.row_number}"
            fields = self._checked_fields(row, record_ref)
            if fields is None:
                self.summary.rejected += 1
                continue
            content = json.dumps(fields, sort_keys=True, ensure_ascii=False)
            key = hashlib.sha256(f"{self.sheet.entity}|{content}".encode()).hexdigest()[:40]
            if key in first_row_of_key:
                self.quarantine.add(
                    "duplicate_record",
                    record_ref,
                    f"same content as row {first_row_of_key[key]} of the same sheet",
                )
                self.summary.rejected += 1
                continue
            first_row_of_key[key] = row.row_number
            if store.is_landed(key):
                self.summary.already_landed += 1
                continue
            self._count_normalised(row)
            self._scrub_typed_text(fields, row, record_ref)
            self._check_labels(fields, record_ref)
            records.append(
                {
                    **fields,
                    KEY_FIELD: key,
                    "source_file": self.workbook.path.name,
                    "source_file_sha256": self.workbook.sha256,
                    "sheet_name": self.sheet.sheet_name,
                    "row_number": row.row_number,
                    "batch_id": self.batch_id,
                    "landed_at": utc_now(),
                }
            )
        return records

    def _checked_fields(self, row: SheetRow, record_ref: str) -> dict[str, Any] | None:
        """The row's landing fields, or None when the whole row is rejected (quarantined)."""
        for field_name, problem in row.date_errors.items():
            self.quarantine.add(
                "unparseable_date",
                record_ref,
                f"{self.sheet.sheet_name} row {row.row_number}: {field_name} {problem}",
                value=row.fields[field_name],
            )
        if row.date_errors:
            return None
        fields: dict[str, Any] = dict(row.fields)
        if self.sheet.entity == "roster":
            email = fields.get("email", "")
            if not email.strip():
                self.quarantine.add(
                    "missing_id", record_ref, "メールアドレス is blank; cannot link"
                )
                return None
            problem = email_problem(email)
            if problem is not None:
                # The address itself only in the vault: staff compare it with the person.
                self.quarantine.add(
                    "suspicious_email",
                    record_ref,
                    f"メールアドレス {problem}; not linked, no participant created",
                    sensitive_raw=json.dumps(row.fields, ensure_ascii=False),
                )
                return None
            source = self.workbook.path.name
            for field_name, kind in PERSONAL_FIELDS.items():
                value = fields.pop(field_name, "")
                fields[f"{field_name}_pseudonym"] = (
                    self.context.pseudonymiser.pseudonym(kind, value, source=source)
                    if value
                    else None
                )
            fields["participant_pseudonym"] = fields["email_pseudonym"]
        if self._has_program(fields):
            fields["program_code"] = self.program_codes.get(fields["program_name_ja"])
        return fields

    def _scrub_typed_text(self, fields: dict[str, Any], row: SheetRow, record_ref: str) -> None:
        """Redact personal data typed into any text cell of a row landed now, in place; one
        ``personal_data_in_field`` row per cell (the redacted value for staff, the text as
        typed only in the vault).

        Staff type every cell, identifiers too (a project ID cell holding a member's name and
        phone number), and the gate's privacy scan leaves identifier columns alone (masking a
        key would break joins), so this is the one place that sees them. The row's landing
        key stays the digest of the row as typed: which names the vault knows grows from run
        to run, and a key that followed the redaction would land the same row again.
        """
        own_name = row.fields.get("name", "") if self.sheet.entity == "roster" else ""
        names = (own_name,) if own_name.strip() else ()
        headers = {field: header for header, field in SHEETS[self.sheet.sheet_name][1].items()}
        for field_name, typed in list(fields.items()):
            if not isinstance(typed, str) or not typed or field_name.endswith("_pseudonym"):
                continue
            shown, removed = without_bidi_controls(typed)
            if removed:
                fields[field_name] = shown
                self.summary.normalised["bidi_controls_removed"] += removed
            scrubbed, found = self.context.pseudonymiser.scrub_free_text(
                shown, source=self.workbook.path.name, names=names
            )
            if not found:
                continue
            fields[field_name] = scrubbed
            self.quarantine.add(
                "personal_data_in_field",
                record_ref,
                f"{self.sheet.sheet_name} {headers.get(field_name, field_name)}: personal data "
                "typed into the cell; landed redacted",
                value=scrubbed,
                sensitive_raw=typed,
            )
            self.summary.normalised["contact_details_scrubbed"] += found

    @staticmethod
    def _has_program(fields: dict[str, Any]) -> bool:
        return "program_name_ja" in fields and fields["program_name_ja"] != "全体"

    def _count_normalised(self, row: SheetRow) -> None:
        email = row.fields.get("email", "") if self.sheet.entity == "roster" else ""
        if has_format_characters(email):
            self.summary.normalised["email_format_characters"] += 1
        elif email != email.strip().lower():
            self.summary.normalised["email_case_or_whitespace"] += 1

    def _check_labels(self, fields: dict[str, Any], record_ref: str) -> None:
        """Unknown labels are flagged for staff; the row still lands (kept, not linked)."""
        catalog = self.context.catalog
        checks: list[tuple[Any, Any, str]] = []
        if self.sheet.entity == "roster":
            checks += [
                (fields.get("cohort_code"), catalog.cohorts, "cohort_code"),
                (
                    fields.get("employment_status_ja"),
                    catalog.employment_statuses,
                    "employment_status_ja",
                ),
            ]
        if self._has_program(fields):
            checks.append((fields["program_name_ja"], self.program_codes, "program_name_ja"))
        for value, allowed, column in checks:
            if value not in allowed:
                self.quarantine.add(
                    "unknown_label", record_ref, f"{column}={value!r} is not in the catalog"
                )
