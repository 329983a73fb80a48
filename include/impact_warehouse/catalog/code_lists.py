"""The catalog's short code lists, each a code with its Japanese label: employment statuses,
support-measure types and wave types.

dbt seeds them as they are, and the warehouse joins on both columns (the operations workbook
names a status by its label, the warehouse by its code): an empty code or label, or one given
twice, would stop the build at a data test naming no row, or map a label to whichever row
came last. Checked here first, so the catalog check names the file, the line and the fix.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from impact_warehouse.catalog.csv_rows import check_member, read_rows
from impact_warehouse.catalog.errors import check_new, required, required_code


def read_code_list(
    seed_dir: Path,
    file_name: str,
    code_column: str,
    label_column: str,
    allowed: Collection[str] | None = None,
) -> dict[str, str]:
    """Label → code of ``file_name``; every code and label given, and given once. ``allowed``:
    the codes the pipeline knows (wave types are its own vocabulary), None for any."""
    codes: set[str] = set()
    by_label: dict[str, str] = {}
    for line, row in read_rows(seed_dir, file_name):
        code = required_code(file_name, line, row, code_column)
        if allowed is not None:
            check_member(file_name, line, code_column, code, allowed)
        check_new(file_name, line, code_column, code, codes)
        codes.add(code)
        label = required(file_name, line, row, label_column)
        check_new(file_name, line, label_column, label, by_label)
        by_label[label] = code
    return by_label
