"""Per-answer work shared by every survey source: privacy first, then scale checks."""

from __future__ import annotations

from dataclasses import dataclass

from impact_warehouse.catalog import Catalog
from impact_warehouse.catalog.answers import AnswerCheck, check_answer
from impact_warehouse.catalog.model import Scale
from impact_warehouse.landing.privacy import Pseudonymiser, without_bidi_controls
from impact_warehouse.landing.quarantine import QuarantineBatch
from impact_warehouse.landing.summary import SourceSummary
from impact_warehouse.personal_data import Finding, find_personal_data, redact

# Personal-data items and the pseudonym kind their answers get.
PERSONAL_DATA_KINDS = {"respondent_name": "name", "respondent_phone": "phone"}

# A scale answer is checked once per distinct (scale, raw text): surveys repeat the same few
# labels and numbers, so a million responses need only a few hundred checks. The cap keeps
# memory flat when a numeric item receives ever new values (hours, free numbers).
CHECK_CACHE_LIMIT = 50_000


@dataclass(frozen=True)
class _Handling:
    """What to do with answers to one item (or to unmatched questions): decided once."""

    mode: str  # "scrub" (free text, unmatched), "pseudonym" (personal data), "check" (scale)
    pseudonym_kind: str = ""
    scale: Scale | None = None


@dataclass(frozen=True)
class _ScaleAnswer:
    """A scale answer judged once: its check, and any personal data typed into it."""

    check: AnswerCheck
    findings: tuple[Finding, ...]


class AnswerLander:
    """Lands answers for one job: dispatch per item and scale checks are computed once."""

    def __init__(self, catalog: Catalog, pseudonymiser: Pseudonymiser) -> None:
        self.catalog = catalog
        self.pseudonymiser = pseudonymiser
        self._handling: dict[str | None, _Handling] = {}
        self._checks: dict[tuple[str, str], _ScaleAnswer] = {}

    def _handling_for(self, item_code: str | None) -> _Handling:
        handling = self._handling.get(item_code)
        if handling is None:
            handling = self._decide(item_code)
            self._handling[item_code] = handling
        return handling

    def _decide(self, item_code: str | None) -> _Handling:
        if item_code is None:
            return _Handling("scrub")
        item = self.catalog.items[item_code]
        if item.is_personal_data:
            return _Handling("pseudonym", pseudonym_kind=PERSONAL_DATA_KINDS.get(item_code, "name"))
        scale = self.catalog.scales[item.scale_code]
        if scale.value_type == "text":
            return _Handling("scrub")
        return _Handling("check", scale=scale)

    def _check(self, scale: Scale, raw: str) -> _ScaleAnswer:
        key = (scale.scale_code, raw)
        judged = self._checks.get(key)
        if judged is None:
            findings = find_personal_data(raw, names=self.pseudonymiser.roster_names)
            judged = _ScaleAnswer(check_answer(scale, raw), tuple(findings))
            if len(self._checks) < CHECK_CACHE_LIMIT:
                self._checks[key] = judged
        return judged

    def lands_as_sent(self, item_code: str | None, raw: str) -> bool:
        """True when a scale answer lands exactly as sent with nothing counted or reported
        (valid, already normalised, no personal data), whoever sends it."""
        handling = self._handling_for(item_code)
        if handling.mode != "check" or handling.scale is None:
            return False
        judged = self._checks.get((handling.scale.scale_code, raw))
        return (
            judged is not None
            and not judged.findings
            and judged.check.reason_code is None
            and not judged.check.normalised
        )

    def land(
        self,
        item_code: str | None,
        raw: str,
        record_ref: str,
        quarantine: QuarantineBatch,
        summary: SourceSummary,
        *,
        own_names: tuple[str, ...] = (),
    ) -> str:
        """Return the text to keep in landing for one answer.

        Personal data becomes a pseudonym; free text (and answers to unmatched questions,
        whose content nobody has vetted) is scrubbed of emails, phone numbers, addresses,
        postal codes and the names the vault knows (plus ``own_names``: the respondent's).
        Scale answers are kept as sent: invalid ones are quarantined with a reason and excluded
        downstream; one holding personal data (an email typed into an hours field) is
        redacted here, before landing, and quarantined as ``personal_data_in_field`` with the
        redacted value: the raw answer goes only to the vault.
        """
        raw, removed = without_bidi_controls(raw)
        if removed:
            summary.normalised["bidi_controls_removed"] += removed
        handling = self._handling_for(item_code)
        if handling.mode == "check":
            assert handling.scale is not None
            judged = self._check(handling.scale, raw)
            if judged.findings:
                return self._redact_field(
                    item_code, handling.scale, raw, judged, record_ref, quarantine, summary
                )
            check = judged.check
            if check.reason_code is not None:
                quarantine.add(
                    check.reason_code, record_ref, f"{item_code}: {check.detail}", value=raw
                )
            elif check.normalised:
                summary.normalised["nfkc_or_whitespace"] += 1
            return raw
        if handling.mode == "pseudonym":
            return self.pseudonymiser.pseudonym(
                handling.pseudonym_kind, raw, source=quarantine.source_ref
            )
        scrubbed, count = self.pseudonymiser.scrub_free_text(
            raw, source=quarantine.source_ref, names=own_names
        )
        if count:
            summary.normalised["contact_details_scrubbed"] += count
        return scrubbed

    def _redact_field(
        self,
        item_code: str | None,
        scale: Scale,
        raw: str,
        judged: _ScaleAnswer,
        record_ref: str,
        quarantine: QuarantineBatch,
        summary: SourceSummary,
    ) -> str:
        source = quarantine.source_ref
        redacted = redact(
            raw, list(judged.findings), lambda f: self.pseudonymiser.replacement(f, source)
        )
        kinds = ", ".join(sorted({finding.kind for finding in judged.findings}))
        quarantine.add(
            "personal_data_in_field",
            record_ref,
            f"{item_code}: {kinds} typed into a {scale.value_type} answer; redacted",
            value=redacted,
            sensitive_raw=raw,
        )
        summary.normalised["contact_details_scrubbed"] += len(judged.findings)
        return redacted
