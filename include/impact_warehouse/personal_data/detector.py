"""Find personal data (emails, phones, postal codes, addresses, handles, links, names) in text.

One detector for every layer (issue 12): landing scrubs free text with it before anything is
written, the quality gate verifies published tables with it, exports check cells with it. A
finding is a span of the text as given; callers decide whether to pseudonymise, mask or list
it. What each kind covers, and what it does not, is in the module of that kind and in the
README's privacy section.

Every scan is linear in the text length (no pattern can backtrack over an unbounded run);
``impact_warehouse.benchmarks.pii_detector`` measures it on 100 KB and 1 MB of hostile text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from impact_warehouse.personal_data.emails import find_emails
from impact_warehouse.personal_data.handles import find_handles, find_links
from impact_warehouse.personal_data.names import RosterNames
from impact_warehouse.personal_data.phones import find_phones
from impact_warehouse.personal_data.places import find_addresses, find_postal_codes
from impact_warehouse.personal_data.view import CanonicalView, CompactView

KINDS = ("email", "phone", "postal_code", "address", "handle", "link", "name")

# Neutral tokens for masking: they say what was removed, never what it was.
MASK_TOKENS: dict[str, str] = {
    "email": "[メールアドレス]",
    "phone": "[電話番号]",
    "postal_code": "[郵便番号]",
    "address": "[住所]",
    "handle": "[SNSアカウント]",
    "link": "[URL]",
    "name": "[氏名]",
}


@dataclass(frozen=True)
class Finding:
    kind: str  # one of KINDS
    start: int  # span in the text as given (not in a normalised copy)
    end: int
    text: str
    # The value as it would be written plainly: "taro@example.jp" for "taro(at)example．jp",
    # "09014285063" for "+81 90-1428-5063"; empty for the other kinds.
    # Pseudonyms are computed from it, so an obfuscated address gets the roster's pseudonym.
    value: str = ""


def find_personal_data(text: str, *, names: Iterable[str] = ()) -> list[Finding]:
    """Every span of ``text`` that is personal data, in order, non-overlapping.

    ``names``: roster names to find (``"原田 真由美"``, family name first, a space before the
    given name). Pass a :class:`RosterNames` built once (``ContactVault.roster_names()``) when
    checking many texts: a plain list is compiled again on every call.
    """
    if not text:
        return []
    view = CanonicalView.of(text)
    canonical = view.text
    found: list[tuple[str, int, int, str]] = [
        ("email", match.start, match.end, match.address) for match in find_emails(canonical)
    ]
    found += [("phone", match.start, match.end, match.number) for match in find_phones(canonical)]
    found += [
        (match.kind, match.start, match.end, "")
        for finder in (find_postal_codes, find_addresses, find_handles, find_links)
        for match in finder(canonical)
    ]
    roster = names if isinstance(names, RosterNames) else RosterNames(names)
    if roster:
        compact = CompactView.of(canonical)
        for match in roster.find(compact, canonical):
            start, end = compact.canonical_span(match.start, match.end)
            found.append(("name", start, end, ""))
    # Longest first where two start together ("taro@x.jp" over a phone-like local part).
    found.sort(key=lambda item: (item[1], item[1] - item[2]))
    findings: list[Finding] = []
    for kind, start, end, value in found:
        source_start, source_end = view.source_span(start, end)
        if findings and source_start < findings[-1].end:
            continue
        findings.append(
            Finding(kind, source_start, source_end, text[source_start:source_end], value)
        )
    return findings


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


def mask_token(finding: Finding) -> str:
    """The neutral token for a finding (``[氏名]``, ``[電話番号]``…): a ``redact`` replacement."""
    return MASK_TOKENS[finding.kind]


def mask_personal_data(text: str, *, names: Iterable[str] = ()) -> tuple[str, list[Finding]]:
    """``text`` with every finding replaced by its neutral token, and the findings."""
    findings = find_personal_data(text, names=names)
    if not findings:
        return text, findings
    return redact(text, findings, mask_token), findings
