"""The one error a bad seed file raises (it names the file, the row and the fix), and the
row checks every catalog reader shares."""

from __future__ import annotations

import re
from collections.abc import Container, Hashable


class CatalogError(ValueError):
    """A seed file is inconsistent; the message says which file, row and how to fix it.

    ``file_name`` and ``line`` (when known) let callers say in Japanese where to look before
    showing the English detail.
    """

    def __init__(self, message: str, *, file_name: str | None = None, line: int | None = None):
        super().__init__(message)
        self.file_name = file_name or _file_named_in(message)
        self.line = line if line is not None else _line_named_in(message)


_FILE_IN_MESSAGE = re.compile(r"([\w.-]+\.csv)")
_LINE_IN_MESSAGE = re.compile(r"\.csv line (\d+)")


def _file_named_in(message: str) -> str | None:
    match = _FILE_IN_MESSAGE.search(message)
    return match.group(1) if match else None


def _line_named_in(message: str) -> int | None:
    match = _LINE_IN_MESSAGE.search(message)
    return int(match.group(1)) if match else None


def required(file_name: str, line: int, row: dict[str, str], column: str) -> str:
    """The row's value of ``column``, stripped; an empty one is refused."""
    value = (row.get(column) or "").strip()
    if not value:
        raise CatalogError(f"{file_name} line {line}: column '{column}' is empty; fill it in")
    return value


def required_code(file_name: str, line: int, row: dict[str, str], column: str) -> str:
    """A code or key (``item_code``, ``measure``…): required, and refused with spaces around it.

    dbt seeds the file as it is: a code written ``"K10 "`` would pass here stripped and then
    match nothing in the warehouse, failing the build with a test name and no row. Prose
    (wordings, labels, titles) keeps :func:`required`: a space around it is harmless.
    """
    value = required(file_name, line, row, column)
    written = row.get(column) or ""
    if value != written:
        raise CatalogError(
            f"{file_name} line {line}: column '{column}' value {written!r} has spaces before "
            "or after it; remove them (the warehouse reads them as part of the code)"
        )
    return value


def check_new(file_name: str, line: int, what: str, key: Hashable, seen: Container) -> None:
    """Refuse a code (or key) a row before already had: a later row would silently replace
    the earlier one, and its answers or figures would be read under the wrong definition."""
    if key in seen:
        shown = " × ".join(map(str, key)) if isinstance(key, tuple) else key
        raise CatalogError(
            f"{file_name} line {line}: {what} {shown} appears twice; keep one of the two rows"
        )
