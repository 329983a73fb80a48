"""Ingest against the local Google Forms API server and the generated demo files."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from impact_warehouse.catalog import load_catalog
from impact_warehouse.demo.forms_api_faults import FaultPlan
from impact_warehouse.demo.forms_api_server import FormsApiServer
from impact_warehouse.pipeline import ingest
from impact_warehouse.settings import Settings

# The end-to-end tier (make test-all): whole pulls over HTTP from the local Forms API server
pytestmark = pytest.mark.slow

TOKEN_FOR_FAULTY = "faulty-server-token"


def source_response_keys(demo_sources: Path) -> dict[str, set[str]]:
    """Independent reading of the demo files: the responses a correct ingest must land."""
    keys: dict[str, set[str]] = {}
    for path in sorted((demo_sources / "google_forms" / "responses").glob("*.jsonl")):
        form_id = path.stem
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                response = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(response, dict) or response.get("formId") != form_id:
                continue
            if response.get("responseId") and response.get("lastSubmittedTime"):
                key = f"{response['responseId']}|{response['lastSubmittedTime']}"
                keys.setdefault(form_id, set()).add(key)
    return keys


def landed_response_keys(settings: Settings) -> Counter[str]:
    keys: Counter[str] = Counter()
    for part in (settings.landing / "google_forms" / "responses").rglob("part-*.jsonl"):
        for line in part.read_text(encoding="utf-8").splitlines():
            keys[json.loads(line)["record_key"]] += 1
    return keys


def landing_snapshot(settings: Settings) -> dict[str, str]:
    return {
        str(path.relative_to(settings.landing)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(settings.landing.rglob("*"))
        if path.is_file() and "_runs" not in path.parts
    }


def all_expected(demo_sources: Path) -> set[str]:
    return set().union(*source_response_keys(demo_sources).values())


def test_full_pull_lands_every_valid_response_exactly_once(
    settings, demo_sources, api_config, run_ingest
):
    summary = run_ingest(settings, api_config())
    landed = landed_response_keys(settings)
    assert set(landed) == all_expected(demo_sources)
    assert max(landed.values()) == 1
    assert summary["landed"] > 0 and summary["quarantined_total"] > 0


def test_second_run_lands_nothing_and_leaves_landing_unchanged(settings, api_config, run_ingest):
    first = run_ingest(settings, api_config(), "first")
    before = landing_snapshot(settings)
    second = run_ingest(settings, api_config(), "second")
    assert landing_snapshot(settings) == before
    assert second["landed"] == 0
    assert second["already_landed"] > 0
    # A re-run reports nothing about records it does not land.
    assert second["quarantined_total"] == 0
    assert second["normalised"] == {}
    quarantined = sum(
        1
        for part in (settings.landing / "quarantine").rglob("part-*.jsonl")
        for _ in part.read_text(encoding="utf-8").splitlines()
    )
    assert first["quarantined_total"] == quarantined
    assert first["landed"] > 0


def test_incremental_pull_continues_from_the_watermark(
    settings, demo_sources, server: FormsApiServer, api_config, run_ingest
):
    server.visible_until = "2025-01-01T00:00:00Z"
    run_ingest(settings, api_config(), "before-2025")
    early = set(landed_response_keys(settings))
    assert early and all(key.split("|")[1] <= "2025-01-01T00:00:00Z" for key in early)

    server.visible_until = None
    server.request_log.clear()
    run_ingest(settings, api_config(), "catch-up")
    landed = landed_response_keys(settings)
    assert set(landed) == all_expected(demo_sources)
    assert max(landed.values()) == 1
    filtered = [path for _, path, _ in server.request_log if "filter=" in path]
    assert filtered, "the second pull must ask only for responses since the watermark"


def test_recovers_from_rate_limits_server_errors_and_timeouts(
    settings, demo_sources, api_config, run_ingest
):
    faults = FaultPlan(
        scripted=["429", "ok", "500", "503", "slow", "ok", "502", "429"],
        retry_after_seconds=0.05,
        slow_seconds=1.0,
    )
    with FormsApiServer(
        demo_sources / "google_forms", token=TOKEN_FOR_FAULTY, faults=faults
    ) as faulty:
        config = api_config()
        config = type(config)(
            base_url=faulty.url,
            token=TOKEN_FOR_FAULTY,
            timeout_seconds=0.5,
            backoff_base_seconds=0.01,
        )
        run_ingest(settings, config)
        statuses = Counter(status for _, _, status in faulty.request_log)
    assert statuses[429] == 2 and statuses[500] == 1 and statuses[503] == 1
    landed = landed_response_keys(settings)
    assert set(landed) == all_expected(demo_sources)
    assert max(landed.values()) == 1


KILLABLE_RUN = """
import sys
from impact_warehouse.pipeline import ingest
from impact_warehouse.settings import paths
from impact_warehouse.sources.google_forms import FormsApiConfig
config = FormsApiConfig(base_url=sys.argv[1], token=sys.argv[2], page_size=5)
ingest.land_form_wave(paths(), sys.argv[3], config)
"""


def test_a_run_killed_mid_page_is_completed_by_the_next_run(
    settings, demo_sources, api_config, run_ingest
):
    counts = {form: len(keys) for form, keys in source_response_keys(demo_sources).items()}
    form_id = max(counts, key=counts.get)
    wave = next(w.wave_code for w in load_catalog().waves.values() if w.source_ref == form_id)
    responses_dir = settings.landing / "google_forms" / "responses" / form_id
    slow = FaultPlan(delay_every_request=0.25)
    with FormsApiServer(demo_sources / "google_forms", token="slow-token", faults=slow) as server:
        env = {
            **os.environ,
            "IMPACT_WORK_DIR": str(settings.work),
            "IMPACT_INBOX_DIR": str(settings.inbox),
        }
        process = subprocess.Popen(
            [sys.executable, "-c", KILLABLE_RUN, server.url, "slow-token", wave], env=env
        )
        deadline = time.monotonic() + 30
        while not list(responses_dir.glob("part-*.jsonl")) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # let it get into the middle of a later page
        process.kill()
        process.wait()
    assert process.returncode == -9, "the run finished before it could be killed"
    partial = landed_response_keys(settings)
    assert 0 < len(partial) < counts[form_id]

    run_ingest(settings, api_config())
    landed = landed_response_keys(settings)
    assert set(landed) == all_expected(demo_sources)
    assert max(landed.values()) == 1


def _contact_variants(contact: dict[str, str]) -> set[str]:
    value = contact["value"].strip()
    variants = {value, value.lower()}
    if contact["kind"] == "name":
        variants.add(value.replace(" ", "").replace("\u3000", ""))
    if contact["kind"] == "phone":
        variants.add(value.replace("-", ""))
    return {variant for variant in variants if len(variant) >= 4}


def test_no_personal_data_anywhere_outside_the_vault(
    settings, demo_sources, api_config, run_ingest
):
    run_ingest(settings, api_config())
    truth = [
        json.loads(line)
        for line in (demo_sources / "_truth" / "contacts.jsonl").read_text("utf-8").splitlines()
    ]
    assert {contact["kind"] for contact in truth} >= {"email", "name", "phone"}
    needles = set().union(*(_contact_variants(contact) for contact in truth))
    leaks = []
    for path in settings.work.rglob("*"):
        if path.is_file() and settings.vault not in path.parents:
            text = path.read_text(encoding="utf-8", errors="ignore")
            leaks += [(str(path), needle) for needle in needles if needle in text]
    assert leaks == []
    vault = (settings.vault / "contacts.sqlite").read_bytes()
    assert any(needle.encode() in vault for needle in needles)


def _panel_records(settings: Settings) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for part in (settings.landing / "panel_file" / "responses").rglob("part-*.jsonl")
        for line in part.read_text(encoding="utf-8").splitlines()
    ]


def test_cp932_csv_and_xlsx_panel_deliveries_land_with_correct_japanese(
    settings, demo_sources, api_config, run_ingest
):
    summary = run_ingest(settings, api_config())
    panel_units = [unit for unit in summary["units"] if unit["source"] == "panel_file"]
    csv_unit = next(unit for unit in panel_units if unit["source_ref"].endswith(".csv"))
    xlsx_unit = next(unit for unit in panel_units if unit["source_ref"].endswith(".xlsx"))
    assert "encoding cp932" in csv_unit["notes"]
    assert csv_unit["landed"] > 300
    assert xlsx_unit["landed"] == 0  # the same delivery again: nothing new
    assert xlsx_unit["already_landed"] == csv_unit["landed"]
    records = _panel_records(settings)
    values = {value for record in records for value in record["answers"].values()}
    assert {"そう思う", "はい", "いいえ"} <= values
    assert {record["region"] for record in records} <= {"首都圏", "中京圏", "近畿圏"}


def test_xlsx_delivery_alone_lands_the_same_records_as_the_csv(
    tmp_path, demo_sources, make_settings
):
    landed = {}
    for suffix in (".csv", ".xlsx"):
        inbox = tmp_path / suffix.strip(".") / "inbox"
        (inbox / "panel").mkdir(parents=True)
        for path in (demo_sources / "inbox" / "panel").glob(f"*{suffix}"):
            shutil.copy(path, inbox / "panel" / path.name)
        settings = make_settings(tmp_path / suffix.strip(".") / "work", inbox)
        ingest.land_panels(settings)
        landed[suffix] = {record["record_key"] for record in _panel_records(settings)}
    assert landed[".csv"] and landed[".csv"] == landed[".xlsx"]
