"""Voices as data (issue 14): the free-text codebook, manual codes and selected quotes.

Three optional seeds of the catalog folder: ``voice_codebook.csv`` (categories of each
free-text item with their patterns and the item whose yes allows quoting),
``voice_manual_codes.csv`` (an analyst's categories for one answer, replacing the automatic
ones) and ``voice_quotes.csv`` (answers staff selected to quote). A catalog without them
shows no voices; the dbt runner gives dbt their header (:data:`SEED_HEADERS`) so the voice
models still build. This module checks them for the catalog check, so a typo fails with the
file, the line and the fix instead of a category that silently never matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from impact_warehouse.catalog.csv_rows import check_member, read_rows, whole_number
from impact_warehouse.catalog.errors import CatalogError, check_new, required, required_code
from impact_warehouse.catalog.model import Catalog
from impact_warehouse.settings import catalog_dir

CODEBOOK_FILE = "voice_codebook.csv"
MANUAL_CODES_FILE = "voice_manual_codes.csv"
QUOTES_FILE = "voice_quotes.csv"
NO_CATEGORY = "none"  # a manual code: the answer is in no category
TEXT_VALUE_TYPE = "text"  # scales.csv value_type of free-text items
SEED_HEADERS: dict[str, str] = {
    CODEBOOK_FILE: "item_code,category_code,category_ja,category_en,patterns,example_ja,"
    "display_order,consent_item_code\n",
    MANUAL_CODES_FILE: "response_key,item_code,category_code,note\n",
    QUOTES_FILE: "response_key,item_code,category_code,note\n",
}


@dataclass(frozen=True)
class VoiceCategory:
    item_code: str
    category_code: str
    category_ja: str
    patterns: tuple[str, ...]
    display_order: int
    consent_item_code: str


@dataclass(frozen=True)
class Voices:
    categories: dict[tuple[str, str], VoiceCategory]  # (item_code, category_code) →
    manual_codes: tuple[tuple[str, str, str], ...]  # (response_key, item_code, category_code)
    quotes: tuple[tuple[str, str], ...]  # (response_key, item_code)

    @property
    def consent_items(self) -> frozenset[str]:
        return frozenset(
            c.consent_item_code for c in self.categories.values() if c.consent_item_code
        )


def load_voices(catalog: Catalog, seed_dir: Path | None = None) -> Voices:
    """The three voice seeds, checked against the catalog; absent files mean no voices."""
    seed_dir = seed_dir or catalog_dir()
    categories = _codebook(catalog, seed_dir)
    return Voices(
        categories=categories,
        manual_codes=_manual_codes(seed_dir, categories),
        quotes=_quotes(seed_dir, categories),
    )


def _rows(seed_dir: Path, file_name: str) -> list:
    return read_rows(seed_dir, file_name) if (seed_dir / file_name).exists() else []


def _codebook(catalog: Catalog, seed_dir: Path) -> dict[tuple[str, str], VoiceCategory]:
    categories: dict[tuple[str, str], VoiceCategory] = {}
    consent_of: dict[str, str] = {}
    for line, row in _rows(seed_dir, CODEBOOK_FILE):
        item_code = required_code(CODEBOOK_FILE, line, row, "item_code")
        check_member(CODEBOOK_FILE, line, "item_code", item_code, catalog.items)
        scale = catalog.scales[catalog.items[item_code].scale_code]
        if scale.value_type != TEXT_VALUE_TYPE:
            raise CatalogError(
                f"{CODEBOOK_FILE} line {line}: item {item_code} is not a free-text item (its "
                f"scale {scale.scale_code} holds {scale.value_type} values); code only items "
                "on a text scale"
            )
        category_code = required_code(CODEBOOK_FILE, line, row, "category_code")
        if category_code == NO_CATEGORY:
            raise CatalogError(
                f"{CODEBOOK_FILE} line {line}: category_code '{NO_CATEGORY}' is reserved for "
                "manual codes (an answer in no category); choose another code"
            )
        key = (item_code, category_code)
        check_new(CODEBOOK_FILE, line, "item × category", key, categories)
        patterns = tuple(part.strip() for part in row["patterns"].split("|") if part.strip())
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise CatalogError(
                    f"{CODEBOOK_FILE} line {line}: pattern {pattern!r} is not a valid regular "
                    f"expression ({error}); escape special characters such as ( ) [ ] + ? * "
                    "with a backslash, or write a plain keyword"
                ) from None
        consent = row["consent_item_code"].strip()
        if consent:
            _check_consent_item(catalog, line, consent)
        if consent_of.setdefault(item_code, consent) != consent:
            raise CatalogError(
                f"{CODEBOOK_FILE} line {line}: consent_item_code {consent!r} differs from "
                f"{consent_of[item_code]!r} on an earlier row of item {item_code}; one item "
                "has one consent item"
            )
        categories[key] = VoiceCategory(
            item_code=item_code,
            category_code=category_code,
            category_ja=required(CODEBOOK_FILE, line, row, "category_ja"),
            patterns=patterns,
            display_order=whole_number(row, "display_order"),
            consent_item_code=consent,
        )
    return categories


def _check_consent_item(catalog: Catalog, line: int, consent: str) -> None:
    check_member(CODEBOOK_FILE, line, "consent_item_code", consent, catalog.items)
    scale_code = catalog.items[consent].scale_code
    if not any(measure.is_primary for measure in catalog.scale_measures.get(scale_code, ())):
        raise CatalogError(
            f"{CODEBOOK_FILE} line {line}: consent item {consent} is on scale {scale_code}, "
            "which has no primary measure in scale_measures.csv to say what 'yes' is; give "
            "it a yes/no scale"
        )


def _answer_key(file_name: str, line: int, row: dict[str, str]) -> tuple[str, str]:
    return required_code(file_name, line, row, "response_key"), required(
        file_name, line, row, "item_code"
    )


def _check_category(
    file_name: str,
    line: int,
    item_code: str,
    category_code: str,
    categories: dict[tuple[str, str], VoiceCategory],
    extra: tuple[str, ...] = (),
) -> None:
    known = [code for item, code in categories if item == item_code]
    if not known:
        raise CatalogError(
            f"{file_name} line {line}: item {item_code} has no categories in {CODEBOOK_FILE}; "
            "add its categories there first, or fix the item code"
        )
    if category_code not in known and category_code not in extra:
        raise CatalogError(
            f"{file_name} line {line}: category {category_code!r} is not a category of item "
            f"{item_code} in {CODEBOOK_FILE}; use one of {[*known, *extra]}"
        )


def _manual_codes(
    seed_dir: Path, categories: dict[tuple[str, str], VoiceCategory]
) -> tuple[tuple[str, str, str], ...]:
    seen: dict[tuple[str, str, str], int] = {}
    by_answer: dict[tuple[str, str], set[str]] = {}
    for line, row in _rows(seed_dir, MANUAL_CODES_FILE):
        response_key, item_code = _answer_key(MANUAL_CODES_FILE, line, row)
        category = required_code(MANUAL_CODES_FILE, line, row, "category_code")
        _check_category(MANUAL_CODES_FILE, line, item_code, category, categories, (NO_CATEGORY,))
        key = (response_key, item_code, category)
        check_new(MANUAL_CODES_FILE, line, "answer × category", key, seen)
        codes = by_answer.setdefault((response_key, item_code), set())
        codes.add(category)
        if NO_CATEGORY in codes and len(codes) > 1:
            raise CatalogError(
                f"{MANUAL_CODES_FILE} line {line}: answer {response_key} × {item_code} is coded "
                f"'{NO_CATEGORY}' and a category; keep either '{NO_CATEGORY}' or the categories"
            )
        seen[key] = line
    return tuple(seen)


def _quotes(
    seed_dir: Path, categories: dict[tuple[str, str], VoiceCategory]
) -> tuple[tuple[str, str], ...]:
    seen: dict[tuple[str, str], int] = {}
    for line, row in _rows(seed_dir, QUOTES_FILE):
        key = _answer_key(QUOTES_FILE, line, row)
        category = row["category_code"].strip()
        if category:
            _check_category(QUOTES_FILE, line, key[1], category, categories)
        elif not any(item == key[1] for item, _ in categories):
            raise CatalogError(
                f"{QUOTES_FILE} line {line}: item {key[1]} has no categories in "
                f"{CODEBOOK_FILE}; only coded free-text items can be quoted"
            )
        check_new(QUOTES_FILE, line, "quote of answer", key, seen)
        seen[key] = line
    return tuple(seen)
