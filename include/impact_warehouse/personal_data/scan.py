"""Scan files for the contacts of people on the roster: the check that nothing leaked.

``scan_for_personal_data(paths…)`` reads every file under the given paths — DuckDB files
(every cell of every table, all schemas), HTML, CSV, JSON, text, XLSX (every XML part) and
any other file as bytes — and counts the places where a contact the vault knows (an email,
a phone number in any notation, a name with or without spaces) appears. Nothing but the vault
should ever contain one: run it over what analysts, report readers and staff quality pages
can open. Hits name the file, the place and the kind, never the value.

    python -m impact_warehouse.personal_data.scan .work/published .work/reports
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from impact_warehouse.sql_identifiers import quoted_identifier

_TEXT_SUFFIXES = {".html", ".htm", ".csv", ".json", ".jsonl", ".txt", ".md", ".svg", ".css"}
_DUCKDB_SUFFIXES = {".duckdb", ".db"}
# A run of digits with the separators people put in phone numbers (after NFKC).
_PHONE_RUN = re.compile(r"\+?[\d(][\d\-‐ー－.() ]{6,}\d")
_SPACES = re.compile(r"\s+")
_PSEUDONYM = re.compile(r"[a-z]+(?:_[a-z]+)*_[0-9a-f]{32}")


@dataclass(frozen=True)
class Hit:
    path: str
    where: str  # table.column, XML part or "text"
    kind: str  # "email" | "phone" | "name"


@dataclass
class ScanReport:
    hits: list[Hit] = field(default_factory=list)
    files: int = 0
    contacts: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.hits)


def vault_contacts(vault_dir: Path) -> dict[str, set[str]]:
    """Every contact in the vault by kind (``email``, ``phone``, ``name``); {} without one."""
    database = Path(vault_dir) / "contacts.sqlite"
    if not database.is_file():
        return {}
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = connection.execute("select kind, contact from contacts").fetchall()
    finally:
        connection.close()
    contacts: dict[str, set[str]] = {}
    for kind, contact in rows:
        if contact and str(contact).strip():
            contacts.setdefault(str(kind), set()).add(str(contact).strip())
    return contacts


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _digits(text: str) -> str:
    return "".join(char for char in _normalise(text) if char.isdigit())


class _Matcher:
    """Finds roster contacts in a text, tolerant of width, case, spacing and phone notation."""

    def __init__(self, contacts: dict[str, set[str]]) -> None:
        self.emails = {_normalise(email) for email in contacts.get("email", set())}
        # Without the trunk 0, so "+81 90-…" matches "090-…" too.
        cores = (_digits(phone).lstrip("0") for phone in contacts.get("phone", set()))
        # Japanese numbers have 10 or 11 digits: 9 or more after the trunk 0.
        self.phones = {core for core in cores if len(core) >= 9}
        self.names = set()
        for name in contacts.get("name", set()):
            parts = _normalise(name).split()
            # "原田 真由美", "原田真由美" and "Mayumi Harada" / "Harada Mayumi"
            for ordered in (parts, parts[::-1]):
                joined = "".join(ordered)
                if len(joined) >= 2:
                    self.names.add(joined)
        self._email_pattern = _alternation(self.emails)
        self._name_pattern = _alternation(self.names)

    def kinds_in(self, text: str) -> list[str]:
        # Keyed pseudonyms (``email_<32 hex>``) are not personal data, and their hex can hold
        # a run of digits that looks like the tail of a phone number.
        normalised = _PSEUDONYM.sub(" ", _normalise(text))
        kinds = []
        if self._email_pattern and self._email_pattern.search(normalised):
            kinds.append("email")
        if self.phones and any(
            any(phone in _digits(run.group(0)) for phone in self.phones)
            for run in _PHONE_RUN.finditer(normalised)
        ):
            kinds.append("phone")
        if self._name_pattern and self._name_pattern.search(_SPACES.sub("", normalised)):
            kinds.append("name")
        return kinds


def _alternation(literals: set[str]) -> re.Pattern[str] | None:
    if not literals:
        return None
    ordered = sorted(literals, key=len, reverse=True)
    return re.compile("|".join(re.escape(literal) for literal in ordered))


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        path = Path(path)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            yield path


def _duckdb_texts(path: Path) -> Iterator[tuple[str, str]]:
    with duckdb.connect(str(path), read_only=True) as con:
        columns = con.execute(
            "select table_catalog, table_schema, table_name, column_name "
            "from information_schema.columns where table_catalog = current_database() "
            "order by 1, 2, 3"
        ).fetchall()
        for _catalog, schema, table, column in columns:
            ident = quoted_identifier(column)
            qualified = f"{quoted_identifier(schema)}.{quoted_identifier(table)}"
            rows = con.execute(
                f"select distinct cast({ident} as varchar) from {qualified} "
                f"where {ident} is not null"
            ).fetchall()
            for (value,) in rows:
                yield f"{schema}.{table}.{column}", value
        comments = con.execute(
            "select schema_name || '.' || table_name, comment from duckdb_tables() "
            "where comment is not null"
        ).fetchall()
        for where, comment in comments:
            yield f"{where} (comment)", comment


def _xlsx_texts(path: Path) -> Iterator[tuple[str, str]]:
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                yield name, archive.read(name).decode("utf-8", errors="replace")


def _texts(path: Path) -> Iterator[tuple[str, str]]:
    suffix = path.suffix.lower()
    if suffix in _DUCKDB_SUFFIXES and _is_duckdb(path):
        yield from _duckdb_texts(path)
    elif suffix == ".xlsx":
        yield from _xlsx_texts(path)
    elif suffix in _TEXT_SUFFIXES:
        yield "text", path.read_text(encoding="utf-8-sig", errors="replace")
    else:
        # Anything else (a SQLite file, a font, a WAL): its bytes, as far as they are text.
        yield "bytes", path.read_bytes().decode("utf-8", errors="ignore")


def _is_duckdb(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(16)[8:12] == b"DUCK"


def scan_for_personal_data(*paths: Path | str, contacts: dict[str, set[str]]) -> ScanReport:
    """Count roster contacts (``vault_contacts(vault)``) in ``paths``."""
    matcher = _Matcher(contacts)
    report = ScanReport(contacts={kind: len(values) for kind, values in contacts.items()})
    for path in _files(Path(p) for p in paths):
        report.files += 1
        for where, text in _texts(path):
            for kind in matcher.kinds_in(text):
                report.hits.append(Hit(str(path), where, kind))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--vault", type=Path, default=None, help="vault folder (default: .work)")
    args = parser.parse_args(argv)
    if args.vault is None:
        from impact_warehouse.settings import paths

        args.vault = paths().vault
    report = scan_for_personal_data(*args.paths, contacts=vault_contacts(args.vault))
    for hit in report.hits:
        print(f"{hit.kind}\t{hit.path}\t{hit.where}")
    print(
        f"{report.count} roster contact(s) found in {report.files} file(s) "
        f"(vault: {report.contacts})"
    )
    return 1 if report.count else 0


if __name__ == "__main__":
    sys.exit(main())
