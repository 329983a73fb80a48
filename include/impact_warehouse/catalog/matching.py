"""Match survey questions (form titles, panel column headers) to catalog items.

ARCHITECTURE.md: questions are matched by normalised title using the wording of the wave's
fiscal year, with explicit overrides; a question that matches nothing is reported, never dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from impact_warehouse.catalog.model import Catalog

# Panel vendors prefix headers with a question number ("Q3.", "問3 ", "Q3_1:").
_QUESTION_NUMBER = re.compile(r"^(?:Q|問)\s*\d+(?:[_\-]\d+)?\s*[.:．：)）]?\s*", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")
# Characters that Shift_JIS/CP932 round trips swap for look-alikes (a CSV from a panel
# vendor has '～' where the form had '〜'); NFKC alone does not unify them.
_CP932_LOOKALIKES = str.maketrans({"〜": "~", "～": "~", "−": "-", "－": "-", "‖": "∥"})


def normalise_title(title: str) -> str:
    """NFKC (full-width → half-width), CP932 look-alikes unified, question numbers and all
    whitespace dropped.

    Whitespace carries no meaning in Japanese question text, and form editors insert
    spaces and line breaks freely, so it is removed rather than collapsed.
    """
    text = unicodedata.normalize("NFKC", title.translate(_CP932_LOOKALIKES)).strip()
    text = _QUESTION_NUMBER.sub("", text)
    return _WHITESPACE.sub("", text)


@dataclass(frozen=True)
class QuestionMatch:
    item_code: str | None
    method: str  # "override", "wording", or "unmatched"


class QuestionMatcher:
    """Maps question titles of one fiscal year's instruments to item codes."""

    def __init__(self, catalog: Catalog, fiscal_year: int) -> None:
        self._catalog = catalog
        self._by_wording: dict[str, str] = {}
        for item in catalog.items.values():
            wording = item.wording_for(fiscal_year)
            if wording is not None:
                self._by_wording[normalise_title(wording)] = item.item_code

    def match(self, title: str, *, source_ref: str = "", question_id: str = "") -> QuestionMatch:
        override = self._catalog.question_overrides.get((source_ref, question_id))
        if override is not None:
            return QuestionMatch(override, "override")
        item_code = self._by_wording.get(normalise_title(title))
        if item_code is not None:
            return QuestionMatch(item_code, "wording")
        return QuestionMatch(None, "unmatched")
