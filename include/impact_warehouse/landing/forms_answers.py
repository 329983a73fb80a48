"""The answers of one Forms response as they land: each value checked, scrubbed or pseudonymised.

Most answers are a scale label or number that lands exactly as sent with nothing to report;
once a (item, text) pair has landed so, later answers with it reuse the sent object instead
of going through the per-answer work again (a wave repeats a few hundred such pairs).
"""

from __future__ import annotations

import json
from typing import Any

from impact_warehouse.catalog import Catalog
from impact_warehouse.landing.answers import CHECK_CACHE_LIMIT, AnswerLander
from impact_warehouse.landing.forms_records import CONTROL_CHARACTERS, FormsLimits
from impact_warehouse.landing.quarantine import QuarantineBatch
from impact_warehouse.landing.summary import SourceSummary

# A question id the form does not have (None is an unmatched question's item code).
_UNKNOWN: Any = object()


class FormsAnswers:
    """Lands the answers of one form's responses for one run."""

    def __init__(
        self,
        catalog: Catalog,
        lander: AnswerLander,
        form_id: str,
        question_map: dict[str, str | None],
        limits: FormsLimits,
        summary: SourceSummary,
    ) -> None:
        self.lander = lander
        self.form_id = form_id
        self.question_map = question_map
        self.limits = limits
        self.summary = summary
        items = catalog.items
        # Decided once per run, not once per answer.
        self.personal_data_questions = frozenset(
            question_id
            for question_id, item_code in question_map.items()
            if item_code and item_code in items and items[item_code].is_personal_data
        )
        # item_code -> texts that land as sent with nothing to count or report (per item, so
        # the check per answer is one set lookup, with no tuple to build and hash).
        self._as_sent: dict[str | None, set[str]] = {}
        self._as_sent_count = 0

    def landed(
        self, response_id: str, response: dict[str, Any], quarantine: QuarantineBatch
    ) -> dict[str, Any]:
        """The response's answers as they land, in the order sent."""
        answers: dict[str, Any] = {}
        given = response.get("answers") or {}
        question_map = self.question_map
        as_sent = self._as_sent
        no_texts: set[str] = set()
        # Personal-data answers (the respondent's name) first: the name they give is then
        # scrubbed from their own free text, whatever the order of the questions.
        order, reordered = self._personal_data_first(given)
        for question_id in order:
            answer = given[question_id]
            item_code = question_map.get(question_id, _UNKNOWN)
            if item_code is _UNKNOWN:
                quarantine.add(
                    "unknown_question",
                    f"{response_id}|{question_id}",
                    f"questionId {question_id!r} is not a question of form "
                    f"{self.form_id}; the answer is kept in the vault, not landed",
                    sensitive_raw=json.dumps(answer, ensure_ascii=True, sort_keys=True),
                )
                continue
            # Present, it is an object (check_response made sure): absent, a file upload.
            text_answers = answer.get("textAnswers")
            if text_answers is None:
                answers[question_id] = answer  # a file upload: no text to check
                continue
            values = text_answers["answers"]
            # Every value lands as sent, unreported, and the answer holds nothing else (the
            # landed copy keeps only ``textAnswers.answers[].value``): the sent object lands.
            # A loop here, not a method or all(): this runs for every answer of every response.
            if len(text_answers) == 1:
                texts = as_sent.get(item_code, no_texts)
                for value in values:
                    if len(value) != 1 or value["value"] not in texts:
                        break
                else:
                    answers[question_id] = answer
                    continue
            record_ref = f"{response_id}|{question_id}"
            landed_values = [
                {"value": self._landed_value(item_code, value["value"], record_ref, quarantine)}
                for value in values
            ]
            answers[question_id] = {**answer, "textAnswers": {"answers": landed_values}}
        if not reordered:
            return answers  # built in the order sent
        return {
            question_id: answers[question_id] for question_id in given if question_id in answers
        }

    def _personal_data_first(self, given: dict[str, Any]) -> tuple[list[str], bool]:
        """The question ids in the order sent, personal-data questions moved to the front,
        and whether that moved any (forms usually ask the name first)."""
        order = list(given)
        first = self.personal_data_questions.intersection(given)
        if not first or first.issuperset(order[: len(first)]):
            return order, False
        return [q for q in order if q in first] + [q for q in order if q not in first], True

    def _landed_value(
        self, item_code: str | None, text: str, record_ref: str, quarantine: QuarantineBatch
    ) -> str:
        sent = text
        # Printable text holds no control characters: the search is for the rest.
        if not text.isprintable():
            text, removed = CONTROL_CHARACTERS.subn("", text)
            if removed:
                self.summary.normalised["control_characters_removed"] += removed
        limit = self.limits.max_text_chars
        # Cut before any per-answer work: scrubbing and checks never see more than the limit.
        if len(text) > limit:
            quarantine.add(
                "text_truncated",
                record_ref,
                f"answer of {len(text)} characters cut to {limit}; the full text is kept in "
                "the vault",
                sensitive_raw=text,
            )
            text = text[:limit]
        landed = self.lander.land(item_code, text, record_ref, quarantine, self.summary)
        if (
            landed is sent
            and self._as_sent_count < CHECK_CACHE_LIMIT
            and self.lander.lands_as_sent(item_code, sent)
        ):
            texts = self._as_sent.setdefault(item_code, set())
            if sent not in texts:
                texts.add(sent)
                self._as_sent_count += 1
        return landed
