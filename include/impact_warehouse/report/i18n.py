"""The report's own words in the reader's language (``strings_<lang>.yaml``), and the list of
everything that had no translation.

The language is set once per rendering (:func:`reporting_in`) and read where a word is
written (:func:`s`), so the section modules keep their signatures: a module that never
mentions the language still writes the words of the report being rendered. Japanese is the
default and the source language. A word or a catalog label with no English is never printed
silently in Japanese: it carries :data:`UNTRANSLATED_MARK` and is listed
(:func:`missing_translations`), for the report's appendix and the log.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

LANGUAGES = ("ja", "en")
SOURCE_LANGUAGE = "ja"
UNTRANSLATED_MARK = "[JA]"


@dataclass(frozen=True)
class MissingTranslation:
    """One word printed in the source language: where its translation belongs."""

    source: str  # the catalog file (items.csv) or the strings file (strings_en.yaml)
    row: str  # the row's code, or the string's key
    column: str  # the column the translation belongs in (report_label_en), or "" for a key
    text: str  # what was printed instead, after the mark


_LANGUAGE: ContextVar[str] = ContextVar("report_language", default=SOURCE_LANGUAGE)
_MISSING: ContextVar[dict[tuple[str, str, str], MissingTranslation] | None] = ContextVar(
    "report_missing_translations", default=None
)


def language() -> str:
    """The language of the report being rendered (``ja`` outside a rendering)."""
    return _LANGUAGE.get()


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"report language {lang!r} is not one of {', '.join(LANGUAGES)}")
    return lang


@contextmanager
def reporting_in(lang: str) -> Iterator[None]:
    """Write the report's words in ``lang`` inside the block, collecting what is missing."""
    language_token = _LANGUAGE.set(check_language(lang))
    missing_token = _MISSING.set({})
    try:
        yield
    finally:
        _LANGUAGE.reset(language_token)
        _MISSING.reset(missing_token)


def missing_translations() -> list[MissingTranslation]:
    """Everything printed untranslated so far in this rendering, in first-use order."""
    return list((_MISSING.get() or {}).values())


def record_missing(entries: list[MissingTranslation], at: int) -> None:
    """Put ``entries`` (what a share of the report printed untranslated elsewhere, in a worker
    process) where that share would have listed them had it run here: after the first ``at``
    entries of this rendering, before the later ones; an entry already listed keeps its place
    if it came first."""
    found = _MISSING.get()
    if found is None:
        return
    listed = list(found.items())
    merged = dict(listed[:at])
    for entry in entries:
        merged.setdefault((entry.source, entry.row, entry.column), entry)
    for key, entry in listed[at:]:
        merged.setdefault(key, entry)
    found.clear()
    found.update(merged)


def untranslated(text: str, source: str, row: str, column: str = "") -> str:
    """``text`` (the source language) marked and listed as missing its translation."""
    found = _MISSING.get()
    if found is not None:
        found.setdefault((source, row, column), MissingTranslation(source, row, column, text))
    return f"{UNTRANSLATED_MARK} {text}"


@cache
def _strings(lang: str) -> dict[str, str]:
    text = resources.files("impact_warehouse.report").joinpath(f"strings_{lang}.yaml")
    loaded = yaml.safe_load(text.read_text("utf-8")) or {}
    return {str(key): str(value) for key, value in loaded.items()}


def s(key: str, **values: object) -> str:
    """The report's string ``key`` in the current language, ``{name}`` filled from ``values``.

    A key the language lacks prints the source-language text, marked and listed; a key no
    language has is a programming error and raises KeyError.
    """
    lang = language()
    strings = _strings(lang)
    if key in strings:
        return strings[key].format(**values)
    text = _strings(SOURCE_LANGUAGE)[key].format(**values)
    return untranslated(text, f"strings_{lang}.yaml", key)


def fiscal_year(year: object) -> str:
    """A fiscal year as the language writes it: 2025年度, FY2025."""
    return s("fiscal_year", year=year)


def join(parts: object) -> str:
    """A list as the language runs it together: 「A、B」, "A, B"."""
    return s("list_separator").join(str(part) for part in parts)  # type: ignore[attr-defined]
