"""Is this email one person's address, or a look-alike that would make a phantom person?

Emails are the key that links a survey response to the roster (ARCHITECTURE.md). An address
copied from a chat or a PDF can carry invisible format characters (zero-width space,
right-to-left mark, BOM: Unicode category Cf); those are removed by ``normalise_email`` and
the address still links. An address whose local part or domain mixes scripts (a Cyrillic
``а`` among Latin letters) is not a typo anyone can see: it would pseudonymise to a new
person, so it is refused (``suspicious_email``) and left to staff, who see the raw value in
the vault only.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from impact_warehouse.landing.privacy import Pseudonymiser, normalise_email

if TYPE_CHECKING:
    from impact_warehouse.landing.quarantine import QuarantineBatch
    from impact_warehouse.landing.summary import SourceSummary

# Japanese addresses mix kana and kanji legitimately: one script for this purpose.
_JAPANESE_NAME_PREFIXES = ("CJK", "HIRAGANA", "KATAKANA", "HALFWIDTH")


def has_format_characters(value: str) -> bool:
    """True when the text holds invisible format characters (Unicode category Cf)."""
    if value.isascii():
        return False  # no ASCII character is a format character
    return any(unicodedata.category(character) == "Cf" for character in value)


def _script(character: str) -> str | None:
    """The script of a letter, from the first word of its Unicode name ("LATIN SMALL LETTER
    A", "CYRILLIC SMALL LETTER A"): the standard library has no script property, and the name
    is exact for letters. Digits and punctuation belong to every script (None)."""
    if not character.isalpha():
        return None
    first_word = unicodedata.name(character, "UNKNOWN").split(" ", 1)[0]
    return "JAPANESE" if first_word in _JAPANESE_NAME_PREFIXES else first_word


def scripts_of(text: str) -> set[str]:
    return {script for script in map(_script, text) if script is not None}


def email_problem(raw: str) -> str | None:
    """Why ``raw`` cannot be linked as an email, in English for the quarantine detail, or None.

    Called on the raw value; the checks run on the normalised form so that a full-width
    letter (NFKC makes it ASCII) is not mistaken for another script.
    """
    email = normalise_email(raw)
    if email.count("@") != 1:
        return "is not one address (it needs exactly one @)"
    local, domain = email.split("@")
    if not local or not domain or "." not in domain:
        return "is not a complete address (local part or domain missing)"
    if email.split() != [email]:  # split() cuts at exactly the characters isspace() finds
        return "holds a space inside the address"
    if email.isascii():
        return None  # ASCII letters are all Latin: no look-alike from another script
    # A domain is judged per label: 例え.jp is one script per label, ex\u0430mple.jp is not.
    parts = [("local part", local)] + [("domain", label) for label in domain.split(".")]
    for part_name, part in parts:
        scripts = scripts_of(part)
        if len(scripts) > 1:
            return f"{part_name} mixes scripts ({', '.join(sorted(scripts))}): a look-alike letter"
    return None


def respondent_pseudonym(
    pseudonymiser: Pseudonymiser,
    email: str,
    response_id: str,
    quarantine: QuarantineBatch,
    summary: SourceSummary,
) -> str | None:
    """The pseudonym of a Forms ``respondentEmail``, or None for a look-alike address.

    The response still lands, unlinked, with a ``suspicious_email`` note: refusing it would
    lose an answer, and linking it would make a new person. Unlinked, it is kept, shown in
    the wave's linkage rate, and never counted as a participant's response (METRICS.md:
    linked respondents only), so the response rate stays honest.
    """
    problem = email_problem(email)
    if problem is not None:
        quarantine.add(
            "suspicious_email",
            response_id,
            f"respondentEmail {problem}; response landed unlinked",
            sensitive_raw=email,
        )
        return None
    if has_format_characters(email):
        summary.normalised["email_format_characters"] += 1
    elif email != email.strip().lower():
        summary.normalised["email_case_or_whitespace"] += 1
    return pseudonymiser.pseudonym("email", email, source=quarantine.source_ref)
