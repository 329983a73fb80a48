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
        # (item_code, text) pairs that land as sent with nothing to count or report.
        self._as_sent: set[tuple[str | None, str]] = set()

    def landed(
        self, response_id: str, response: dict[str, Any], quarantine: QuarantineBatch
    ) -> dict[str, Any]:
        """The response's answers as they land, in the order sent."""
        answers: dict[str, Any] = {}
        given = response.get("answers") or {}
        question_map = self.question_map
        # Personal-data answers (the respondent's name) first: the name they give is then
        # scrubbed from their own free text, whatever the order of the questions.
        for question_id in self._personal_data_first(given):
            answer = given[question_id]
            if question_id not in question_map:
                quarantine.add(
                    "unknown_question",
                    f"{response_id}|{question_id}",
                    f"questionId {question_id!r} is not a question of form "
                    f"{self.form_id}; the answer is kept in the vault, not landed",
                    sensitive_raw=json.dumps(answer, ensure_ascii=True, sort_keys=True),
                )
                continue
            if "textAnswers" not in answer:
                answers[question_id] = answer  # a file upload: no text to check
                continue
            item_code = question_map[question_id]
            values = answer["textAnswers"]["answers"]
            if self._lands_as_sent(item_code, answer, values):
                answers[question_id] = answer
                continue
            record_ref = f"{response_id}|{question_id}"
            landed_values = [
                {"value": self._landed_value(item_code, value["value"], record_ref, quarantine)}
                for value in values
            ]
            answers[question_id] = {**answer, "textAnswers": {"answers": landed_values}}
        return {
            question_id: answers[question_id] for question_id in given if question_id in answers
        }

    def _personal_data_first(self, given: dict[str, Any]) -> list[str]:
        """The question ids in the order sent, personal-data questions moved to the front."""
        first = self.personal_data_questions.intersection(given)
        if not first:
            return list(given)
        return [q for q in given if q in first] + [q for q in given if q not in first]

    def _lands_as_sent(
        self, item_code: str | None, answer: dict[str, Any], values: list[dict[str, Any]]
    ) -> bool:
        """True when every value lands as sent, unreported, and the answer holds nothing else
        (the landed copy keeps only ``textAnswers.answers[].value``)."""
        if len(answer["textAnswers"]) != 1:
            return False
        as_sent = self._as_sent
        for value in values:
            if len(value) != 1 or (item_code, value["value"]) not in as_sent:
                return False
        return True

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
            and len(self._as_sent) < CHECK_CACHE_LIMIT
            and self.lander.lands_as_sent(item_code, sent)
        ):
            self._as_sent.add((item_code, sent))
        return landed
