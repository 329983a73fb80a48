"""After a hostile corpus is ingested — free-text answers holding the respondent's own email,
phone and name — nothing analysts, report readers or staff quality pages open holds a roster
contact: the published release (warehouse, docs site, Data Docs), the report HTML/CSV/XLSX and
the gate's Data Docs. The contacts are read from the vault; the count must be 0 (issue 12).

One pipeline run holds both corpora, response by response in turn: ``plain`` writes contacts in
the notations every detector version finds, ``obfuscated`` (names, ``(at)``, full-width and
bracketed phones) needs the strong shared detector of issue 12.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from impact_warehouse.catalog import load_catalog
from impact_warehouse.demo.forms_api_server import FormsApiServer
from impact_warehouse.demo.generator import generate_demo_sources
from impact_warehouse.personal_data.scan import scan_for_personal_data, vault_contacts
from impact_warehouse.pipeline import ingest
from impact_warehouse.pipeline import release as release_job
from impact_warehouse.report import job
from impact_warehouse.settings import Settings
from impact_warehouse.sources.google_forms import FormsApiConfig

AS_OF = date(2026, 11, 23)
TOKEN = "hostile-corpus"
HOSTILE_RESPONSES_PER_FORM = 8


def _plain(name: str, email: str, phone: str) -> str:
    del name  # a name needs the roster-aware detector: see the obfuscated corpus
    return f"今後の連絡は {email} か {phone or '090-1428-5063'} にお願いします。"


def _obfuscated(name: str, email: str, phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit()) or "09014285063"
    wide = unicodedata.normalize("NFKC", digits).translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    return (
        f"{name}です。{email.replace('@', '(at)')} / "
        f"{wide[:3]}ー{wide[3:7]}ー{wide[7:]} / ({digits[:3]}){digits[3:7]}-{digits[7:]}"
    )


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _inject(sources: Path) -> int:
    """Put hostile free text into the first responses of every form, plain and obfuscated in
    turn; returns how many."""
    catalog = load_catalog()
    by_title = {
        _key(wording): item
        for item in catalog.items.values()
        for _from, _to, wording in item.wordings
    }
    injected = 0
    for form_path in sorted((sources / "forms").glob("*.json")):
        form = json.loads(form_path.read_text("utf-8"))
        roles: dict[str, str] = {}
        for entry in form.get("items", []):
            question = (entry.get("questionItem") or {}).get("question") or {}
            item = by_title.get(_key(entry.get("title", "")))
            if item is None or "questionId" not in question:
                continue
            if item.item_code == "respondent_name":
                roles["name"] = question["questionId"]
            elif item.item_code == "respondent_phone":
                roles["phone"] = question["questionId"]
            elif item.scale_code == "text" and not item.is_personal_data:
                roles.setdefault("free_text", question["questionId"])
        if "free_text" not in roles:
            continue
        responses_path = sources / "responses" / f"{form['formId']}.jsonl"
        lines = responses_path.read_text("utf-8").splitlines()
        for index, line in enumerate(lines[:HOSTILE_RESPONSES_PER_FORM]):
            response = json.loads(line)
            answers = response.setdefault("answers", {})

            def text(role: str, answers=answers, roles=roles) -> str:
                answer = answers.get(roles.get(role, ""), {})
                values = (answer.get("textAnswers") or {}).get("answers") or [{}]
                return str(values[0].get("value", ""))

            write = (_plain, _obfuscated)[index % 2]
            hostile = write(text("name"), response.get("respondentEmail", ""), text("phone"))
            answers[roles["free_text"]] = {
                "questionId": roles["free_text"],
                "textAnswers": {"answers": [{"value": hostile}]},
            }
            lines[index] = json.dumps(response, ensure_ascii=False)
            injected += 1
        responses_path.write_text("\n".join(lines) + "\n", "utf-8")
    return injected


@pytest.mark.slow
@pytest.mark.timeout(1800)  # lands, builds, publishes and renders a whole demo (~3 min idle)
def test_no_roster_contact_anywhere_readers_can_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, warehouse_builder
) -> None:
    root = tmp_path
    generate_demo_sources(root / "sources", seed=2025, as_of=AS_OF)
    injected = _inject(root / "sources" / "google_forms")
    assert injected >= 10
    settings = Settings.for_work_dir(root / "work", root / "sources" / "inbox")
    monkeypatch.setenv("IMPACT_WORK_DIR", str(settings.work))
    monkeypatch.setenv("IMPACT_ALERT_CHANNELS", "outbox")
    waves = ingest.plan_form_waves(load_catalog(), AS_OF, AS_OF, as_of=AS_OF, all_waves=True)
    with FormsApiServer(root / "sources" / "google_forms", token=TOKEN) as server:
        config = FormsApiConfig(base_url=server.url, token=TOKEN, backoff_base_seconds=0.01)
        units = [*ingest.land_operations(settings), *ingest.land_panels(settings)]
        units += [ingest.land_form_wave(settings, wave, config) for wave in waves]
    ingest.finish_run(settings, "hostile-corpus", units)
    run = warehouse_builder(settings.landing, root, "audit")

    outcome = release_job.gate_publish_and_alert(
        settings,
        fiscal_year=2026,
        run_id="hostile-corpus",
        as_of=AS_OF,
        audit_db=run.duckdb_path,
    )
    assert outcome["gate_passed"], outcome
    reports = job.render_after_publish(outcome, settings)
    assert reports

    contacts = vault_contacts(settings.vault)
    assert contacts.get("email") and contacts.get("phone") and contacts.get("name")
    readable = [
        settings.work / "releases" / outcome["release_id"],
        settings.work / "published",
        *{Path(report["html"]).parent for report in reports},
        Path(outcome["data_docs"]),
        settings.work / "outbox",  # the staff alerts
    ]
    # The scan sees the corpus where it is raw (the generated survey answers)…
    raw = scan_for_personal_data(root / "sources" / "google_forms", contacts=contacts)
    assert {hit.kind for hit in raw.hits} >= {"email", "phone", "name"}
    # … and nowhere readers can look.
    report = scan_for_personal_data(*readable, contacts=contacts)
    assert report.files > 10
    assert report.count == 0, [(hit.path, hit.where, hit.kind) for hit in report.hits[:20]]
