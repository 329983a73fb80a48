"""A form with hostile responses mixed with good ones, served by the real local Forms API
server and pulled through the real client and landing job (``ingest.land_form_wave``)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from impact_warehouse.catalog import load_catalog
from impact_warehouse.demo.forms_api_server import FormsApiServer
from impact_warehouse.landing.store import Watermarks
from impact_warehouse.pipeline import ingest
from impact_warehouse.settings import Settings
from impact_warehouse.sources.google_forms import FormsApiConfig

TOKEN = secrets.token_urlsafe(16)
PSEUDONYM_KEY = secrets.token_hex(16).encode()
QUESTIONS = ("q1", "q2", "q3")
GOOD_TIMES = [f"2025-06-01T00:00:0{index}.250Z" for index in range(4)]


@dataclass(frozen=True)
class CorpusWave:
    wave_code: str
    form_id: str


@pytest.fixture(scope="session")
def corpus_wave() -> CorpusWave:
    """A wave of the catalog whose form the corpus replaces with its own hostile one."""
    wave = min(
        (w for w in load_catalog().waves.values() if w.source_system == "google_forms"),
        key=lambda w: w.wave_code,
    )
    return CorpusWave(wave.wave_code, wave.source_ref)


def response(
    form_id: str,
    response_id: str,
    submitted: str,
    answers: dict[str, Any] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A response shaped as the Forms API documents it."""
    return {
        "formId": form_id,
        "responseId": response_id,
        "createTime": submitted,
        "lastSubmittedTime": submitted,
        "answers": answers
        if answers is not None
        else {
            question_id: {
                "questionId": question_id,
                "textAnswers": {"answers": [{"value": f"{response_id} answer {question_id}"}]},
            }
            for question_id in QUESTIONS
        },
        **fields,
    }


def good_responses(form_id: str) -> list[dict[str, Any]]:
    return [response(form_id, f"good{index}", stamp) for index, stamp in enumerate(GOOD_TIMES)]


def line(record: Any) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def form_definition(form_id: str) -> dict[str, Any]:
    return {
        "formId": form_id,
        "revisionId": "r1",
        "info": {"title": "Corpus form"},
        "items": [
            {
                "itemId": f"item-{question_id}",
                "title": f"Corpus question {question_id}",
                "questionItem": {
                    "question": {"questionId": question_id, "textQuestion": {"paragraph": True}}
                },
            }
            for question_id in QUESTIONS
        ],
    }


@dataclass
class Pull:
    """What one ingest run of the corpus wave did."""

    summary: dict[str, Any]
    responses: list[dict[str, Any]]
    quarantine: list[dict[str, Any]]
    watermark: str | None
    settings: Settings
    error: Exception | None = None

    @property
    def landed_ids(self) -> list[str]:
        return sorted(record["response_id"] for record in self.responses)

    def reasons(self, reason_code: str) -> list[dict[str, Any]]:
        return [record for record in self.quarantine if record["reason_code"] == reason_code]

    def vault_text(self, record: dict[str, Any]) -> str:
        # The vault file is the raw text plus a final newline.
        text = (self.settings.vault / record["raw_vault_path"]).read_text(encoding="utf-8")
        return text.removesuffix("\n")


def _read_parts(folder: Path) -> list[dict[str, Any]]:
    return [
        json.loads(text)
        for part in sorted(folder.rglob("part-*.jsonl"))
        for text in part.read_text(encoding="utf-8").splitlines()
        if text.strip()
    ]


@dataclass
class HostileForm:
    """The corpus form's files, its server and a way to pull it like the DAG does."""

    root: Path
    wave: CorpusWave
    server: FormsApiServer
    settings: Settings
    page_size: int = 5000
    lines: list[bytes] = field(default_factory=list)

    good_times = GOOD_TIMES

    def response(
        self, response_id: str, submitted: str, answers: dict[str, Any] | None = None, **fields: Any
    ) -> dict[str, Any]:
        return response(self.wave.form_id, response_id, submitted, answers, **fields)

    def good(self) -> list[dict[str, Any]]:
        return good_responses(self.wave.form_id)

    @staticmethod
    def line(record: Any) -> bytes:
        return line(record)

    def serve(self, lines: list[bytes]) -> None:
        self.lines = lines
        path = self.root / "responses" / f"{self.wave.form_id}.jsonl"
        path.write_bytes(b"\n".join(lines) + b"\n")

    def pull(self, as_of: date | None = None) -> Pull:
        config = FormsApiConfig(
            base_url=self.server.url,
            token=TOKEN,
            timeout_seconds=30.0,
            backoff_base_seconds=0.01,
            max_retries=1,
            page_size=self.page_size,
        )
        summary: dict[str, Any] = {}
        error: Exception | None = None
        try:
            summary = ingest.land_form_wave(
                self.settings,
                self.wave.wave_code,
                config,
                pseudonym_key=PSEUDONYM_KEY,
                as_of=as_of,
            )
        except Exception as raised:  # the envelope tests look at the error itself
            error = raised
        landing = self.settings.landing
        return Pull(
            summary=summary,
            responses=_read_parts(landing / "google_forms" / "responses" / self.wave.form_id),
            quarantine=_read_parts(landing / "quarantine" / "google_forms" / self.wave.form_id),
            watermark=Watermarks(self.settings.state).get("google_forms", self.wave.form_id),
            settings=self.settings,
            error=error,
        )


def start_hostile_form(
    tmp_path: Path, wave: CorpusWave, server_class: type[FormsApiServer] = FormsApiServer
) -> tuple[HostileForm, FormsApiServer]:
    root = tmp_path / "forms_source"
    (root / "forms").mkdir(parents=True)
    (root / "responses").mkdir()
    (root / "forms" / f"{wave.form_id}.json").write_text(
        json.dumps(form_definition(wave.form_id)), encoding="utf-8"
    )
    server = server_class(root, token=TOKEN)
    server.start()
    settings = Settings.for_work_dir(tmp_path / "work", tmp_path / "inbox")
    return HostileForm(root, wave, server, settings), server


@pytest.fixture
def hostile_form(tmp_path: Path, corpus_wave: CorpusWave) -> Iterator[HostileForm]:
    form, server = start_hostile_form(tmp_path, corpus_wave)
    try:
        yield form
    finally:
        server.stop()


@pytest.fixture
def make_hostile_form(
    tmp_path: Path, corpus_wave: CorpusWave
) -> Iterator[Callable[[type[FormsApiServer]], HostileForm]]:
    servers: list[FormsApiServer] = []

    def make(server_class: type[FormsApiServer]) -> HostileForm:
        form, server = start_hostile_form(tmp_path, corpus_wave, server_class)
        servers.append(server)
        return form

    yield make
    for server in servers:
        server.stop()
