"""A hostile survey response, pulled from the local Forms API and landed: nothing personal in
the landed JSON or the quarantine, the raw values only in the vault (issue 12)."""

from __future__ import annotations

import json
import secrets
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from impact_warehouse.catalog import QuestionMatcher, load_catalog
from impact_warehouse.demo.forms_api_server import FormsApiServer
from impact_warehouse.demo.generator import generate_demo_sources
from impact_warehouse.landing.forms_job import iter_questions
from impact_warehouse.pipeline import ingest
from impact_warehouse.settings import Settings
from impact_warehouse.sources.google_forms import FormsApiConfig

WAVE = "followup_2025"
TOKEN = secrets.token_urlsafe(16)


def _roster_people(demo: Path) -> list[dict[str, str]]:
    """People of the demo roster: each name (with its space), email and phone."""
    people: list[dict[str, str]] = []
    for line in (demo / "_truth" / "contacts.jsonl").read_text("utf-8").splitlines():
        contact = json.loads(line)
        if contact["kind"] == "name" and " " in contact["value"]:
            people.append({"name": contact["value"]})
        elif people and contact["kind"] in ("email", "phone"):
            people[-1].setdefault(contact["kind"], contact["value"])
    return people


def _questions_by_value_type(form: dict[str, Any]) -> dict[str, str]:
    catalog = load_catalog()
    wave = catalog.waves[WAVE]
    matcher = QuestionMatcher(catalog, wave.fiscal_year)
    found: dict[str, str] = {}
    for question_id, title, _kind in iter_questions(form):
        item_code = matcher.match(title, source_ref=wave.source_ref, question_id=question_id)
        item_code = item_code.item_code
        if item_code is None or catalog.items[item_code].is_personal_data:
            continue
        value_type = catalog.scales[catalog.items[item_code].scale_code].value_type
        found.setdefault(value_type, question_id)
    return found


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    demo = tmp_path_factory.mktemp("hostile_demo")
    generate_demo_sources(demo, seed=2025, as_of=date(2026, 11, 23))
    form_id = load_catalog().waves[WAVE].source_ref
    form = json.loads((demo / "google_forms" / "forms" / f"{form_id}.json").read_text("utf-8"))
    questions = _questions_by_value_type(form)
    people = _roster_people(demo)
    writer, other = people[0], people[1]
    family = other["name"].split(" ")[0]
    local, domain = writer["email"].split("@")
    phone = writer.get("phone") or "090-1428-5063"
    free_text = (
        f"{writer['name'].replace(' ', '')}です。{family}さんにお世話になりました。"
        f"連絡は {local}(at){domain.replace('.', ' (dot) ')} か "
        f"{phone.translate(str.maketrans('0123456789-', '０１２３４５６７８９ー'))}、"
        "(090)1428-5063、090.1428.5063 へ。〒123-4567 東京都港区芝公園4丁目2-8"
    )
    typed_into_hours = writer["email"].upper().replace("@", "＠")
    responses_path = demo / "google_forms" / "responses" / f"{form_id}.jsonl"
    lines = responses_path.read_text("utf-8").splitlines()
    response = json.loads(lines[0])
    for value_type, value in (("text", free_text), ("decimal", typed_into_hours)):
        response["answers"][questions[value_type]] = {
            "questionId": questions[value_type],
            "textAnswers": {"answers": [{"value": value}]},
        }
    lines[0] = json.dumps(response, ensure_ascii=False)
    responses_path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    settings = Settings.for_work_dir(tmp_path_factory.mktemp("hostile_work"), demo / "inbox")
    ingest.land_operations(settings)  # the roster: its names go to the vault
    with FormsApiServer(demo / "google_forms", token=TOKEN) as server:
        summary = ingest.land_form_wave(
            settings, WAVE, FormsApiConfig(base_url=server.url, token=TOKEN)
        )
    needles = [
        writer["name"],
        writer["name"].replace(" ", ""),
        f"{family}さん",
        local,
        "1428-5063",
        "1428.5063",
        phone,
        "123-4567",
        "芝公園",
        typed_into_hours,
        writer["email"],
    ]
    return {
        "settings": settings,
        "summary": summary,
        "response_id": response["responseId"],
        "questions": questions,
        "needles": needles,
        "typed_into_hours": typed_into_hours,
    }


def _landed_response(hostile: dict[str, Any]) -> dict[str, Any]:
    landing = hostile["settings"].landing / "google_forms"
    for part in (landing / "responses").rglob("part-*.jsonl"):
        for line in part.read_text("utf-8").splitlines():
            record = json.loads(line)
            if record["response_id"] == hostile["response_id"]:
                return record
    raise AssertionError("the hostile response was not landed")


def test_the_hostile_free_text_is_landed_scrubbed(hostile):
    record = _landed_response(hostile)
    answer = record["payload"]["answers"][hostile["questions"]["text"]]
    landed = answer["textAnswers"]["answers"][0]["value"]
    assert landed.startswith("[氏名]です。[氏名]さんにお世話になりました。連絡は [email_")
    assert landed.count("[phone_") == 3
    assert landed.endswith("へ。[郵便番号] [住所]")
    assert hostile["summary"]["normalised"]["contact_details_scrubbed"] >= 8


def test_an_email_typed_into_an_hours_field_is_redacted_and_quarantined(hostile):
    record = _landed_response(hostile)
    answer = record["payload"]["answers"][hostile["questions"]["decimal"]]
    assert answer["textAnswers"]["answers"][0]["value"].startswith("[email_")
    quarantine = hostile["settings"].landing / "quarantine"
    rows = [
        json.loads(line)
        for part in quarantine.rglob("part-*.jsonl")
        for line in part.read_text("utf-8").splitlines()
    ]
    flagged = [row for row in rows if row["reason_code"] == "personal_data_in_field"]
    assert [row["record_ref"].split("|")[0] for row in flagged] == [hostile["response_id"]]
    vault_copy = hostile["settings"].vault / flagged[0]["raw_vault_path"]
    assert vault_copy.read_text("utf-8").strip() == hostile["typed_into_hours"]


def test_nothing_personal_is_left_anywhere_outside_the_vault(hostile):
    settings = hostile["settings"]
    leaks = []
    for path in settings.work.rglob("*"):
        if path.is_file() and settings.vault not in path.parents:
            text = path.read_text(encoding="utf-8", errors="ignore")
            leaks += [(path.name, needle) for needle in hostile["needles"] if needle in text]
    assert leaks == []
