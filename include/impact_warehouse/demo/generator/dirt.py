"""Realistic dirt: where it lands, and the log that ends up in the manifest.

Every piece of dirt touches only answers or records that the metric rules exclude anyway
(earlier submissions, unknown respondents, blanks, FY2022–2024 data), so the FY2025 figures
hold with it. The README lists each kind with the reason it exists.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from impact_warehouse.demo.generator import free_text

if TYPE_CHECKING:
    from impact_warehouse.demo.generator.answers import WavePlan

# Exactly one re-submission and one stranger in these FY2025 waves; other FY2025 waves have none.
FY2025_RESUBMISSION_WAVES = ("mamabono_2025_post", "followup_2025")
UNKNOWN_RESPONDENT_WAVES = ("mamabono_2025_post", "followup_2025")
# Waves without published figures: this share of respondents submits twice.
GENERIC_RESUBMISSION_SHARE = 0.03
# Share of responses whose respondentEmail is typed with other capitals or stray spaces.
FORM_EMAIL_VARIANT_SHARE = 0.04
# People whose later roster rewrote their address type it that way this often.
REPEATER_FORM_VARIANT_SHARE = 0.5

# Line-level damage in a responses file (wave_code → fault).
LINE_FAULTS = {
    "npo_mentoring_2024_post": "truncated_line",
    "mamabono_2024_post": "missing_response_id",
    "mamabono_2024_pre": "duplicate_line",
}
# A test submission to a copy of the form, filed with the real form's responses.
UNKNOWN_FORM_WAVE = "followup_2024"
UNKNOWN_FORM_ID = "demo-form-followup-2024-copy"
CONTACT_LEAK_WAVE = "followup_2025"
CONTACT_LEAK_ITEM = "challenge_in_private_example"

_FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


@dataclass(frozen=True)
class CellDirt:
    wave_code: str
    item_code: str
    kind: str  # fullwidth_digits: rewrite a typed "7" as "７"; out_of_range: type ``value``
    value: str


CELL_DIRT: tuple[CellDirt, ...] = (
    CellDirt("mamabono_2022_post", "career_confidence", "fullwidth_digits", "7"),
    CellDirt("mamabono_2023_pre", "career_confidence", "out_of_range", "11"),
    CellDirt("npo_mentoring_2023_post", "career_confidence", "out_of_range", "0"),
)


@dataclass(frozen=True, slots=True)
class DirtNote:
    """Dirt attached to a record; logged only if the record is actually written."""

    kind: str
    detail: str
    contacts: tuple[tuple[str, str], ...] = ()  # (kind, value) it writes, for the truth file


class DirtLog:
    """Dirt records for the manifest, in the order the files are written."""

    def __init__(self) -> None:
        self._records: list[dict[str, Any]] = []

    def add(
        self,
        kind: str,
        wave_code: str | None,
        source_ref: str,
        where: str | int | None,
        detail: str,
    ) -> None:
        self._records.append(
            {
                "kind": kind,
                "wave_code": wave_code,
                "source_ref": source_ref,
                "response_id_or_row": where,
                "detail": detail,
            }
        )

    @property
    def records(self) -> list[dict[str, Any]]:
        return list(self._records)


def full_width(text: str) -> str:
    """Digits and the decimal point as a Japanese IME types them in full-width mode."""
    return text.translate(_FULL_WIDTH)


def truncate(line: str, rng: random.Random) -> str:
    """A line cut off mid-record, as when a writer dies; keeps the timestamps near the start."""
    return line[: rng.randint(len(line) // 3, 2 * len(line) // 3)]


def cell_dirt_for(wave_code: str) -> list[CellDirt]:
    return [dirt for dirt in CELL_DIRT if dirt.wave_code == wave_code]


def apply_answer_dirt(plan: WavePlan, rng: random.Random) -> None:
    """Odd values typed into the wave's answers, and contact details in free text."""
    _apply_cell_dirt(plan, rng)
    if plan.wave.wave_code == CONTACT_LEAK_WAVE:
        _leak_contact(plan, rng)


def _leak_contact(plan: WavePlan, rng: random.Random) -> None:
    column = plan.columns.get(CONTACT_LEAK_ITEM)
    if not column:
        return
    # On someone who wrote an example anyway, so no count of answered questions changes.
    rows = [row for row, value in enumerate(column) if value is not None] or list(
        range(len(column))
    )
    row = rng.choice(rows)
    column[row] = free_text.CONTACT_LEAK_ANSWER
    contacts = (("email", free_text.LEAKED_EMAIL), ("phone", free_text.LEAKED_PHONE))
    detail = f"{CONTACT_LEAK_ITEM} contains an e-mail address and a phone number: scrub them"
    plan.note(row, DirtNote("contact_in_free_text", detail, contacts))


def _apply_cell_dirt(plan: WavePlan, rng: random.Random) -> None:
    """Type the planned odd values into random respondents' answers and note them."""
    for dirt in cell_dirt_for(plan.wave.wave_code):
        column = plan.columns.get(dirt.item_code)
        if not column:
            continue
        if dirt.kind == "fullwidth_digits":
            rows = [row for row, value in enumerate(column) if value == dirt.value]
            rows = rows or [row for row, value in enumerate(column) if value]
            row = rng.choice(rows)
            typed = full_width(column[row] or "")
            detail = (
                f"{dirt.item_code} typed as {typed!r}; NFKC gives {column[row]!r}: valid, counts"
            )
        else:
            row = rng.randrange(len(column))
            typed = dirt.value
            detail = f"{dirt.item_code} = {typed!r} is outside its scale: quarantined, excluded"
        column[row] = typed
        plan.note(row, DirtNote(dirt.kind, detail))
