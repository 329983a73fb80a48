"""The appendix: the per-program rows of the outcome tables, so the pooled results lead.

An outcome table lists the pooled row ('all') and one row per program; printed whole, the
per-program rows fill pages before the next finding. The page shows the pooled rows in their
section and moves the per-program rows to one appendix at the end, under the same table key
(so a test or a reader finds a row by its key in either place). The CSV and XLSX exports are
written from the tables before this split and keep every row together.
"""

from __future__ import annotations

from dataclasses import replace

from impact_warehouse.report.cells import ReportTable
from impact_warehouse.report.i18n import s

APPENDIX_ANCHOR = "appendix"
# The reporting keys of outcome rows start "<fiscal_year>|<program_code>|" (indicator_result_key
# and the keys of the rpt_ tables built on it); 'all' pools the programs.
POOLED_PROGRAM = "all"


def _program_of(row_key: str) -> str | None:
    parts = row_key.split("|")
    return parts[1] if len(parts) > 2 else None


def split_by_program(
    tables: list[ReportTable], outcome_anchors: set[str]
) -> tuple[list[ReportTable], list[ReportTable]]:
    """(tables for the body, per-program tables for the appendix), in page order.

    Only outcome tables whose rows are keyed by program and hold both pooled and
    per-program rows are split; a folded reference table moves whole; every other table
    stays as it is.
    """
    body: list[ReportTable] = []
    appendix: list[ReportTable] = []
    for table in tables:
        if table.folded:  # a long reference table: whole, in the appendix, shown unfolded
            appendix.append(replace(table, section=APPENDIX_ANCHOR, folded=False))
            continue
        programs = [_program_of(key) for key in table.row_keys]
        pooled = [index for index, program in enumerate(programs) if program == POOLED_PROGRAM]
        split = (
            table.section in outcome_anchors
            and bool(programs)
            and None not in programs
            and 0 < len(pooled) < len(programs)
        )
        if not split:
            body.append(table)
            continue
        others = [index for index in range(len(programs)) if index not in set(pooled)]
        body.append(
            replace(
                table,
                rows=tuple(table.rows[index] for index in pooled),
                row_keys=tuple(table.row_keys[index] for index in pooled),
                note_ja=f"{table.note_ja} {s('appendix_note')}".strip(),
            )
        )
        appendix.append(
            replace(
                table,
                title_ja=s("appendix_table_title", title=table.title_ja),
                rows=tuple(table.rows[index] for index in others),
                row_keys=tuple(table.row_keys[index] for index in others),
                section=APPENDIX_ANCHOR,
                folded=False,
            )
        )
    return body, appendix
