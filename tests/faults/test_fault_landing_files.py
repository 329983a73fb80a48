"""Damaged, deleted and half-written landing files: every error names the file, ``impact
verify`` repairs what can be, and the next pull restores exactly what a clean run landed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from fault_support import data_keys, landed_keys, response_count, run_in_process, temporaries

from impact_warehouse.landing.store import LandingIntegrityError, Watermarks
from impact_warehouse.landing.verify import verify_landing

FORMS = "google_forms"


def _biggest_form(settings) -> str:
    responses = settings.landing / FORMS / "responses"
    return max(
        (folder.name for folder in responses.iterdir()),
        key=lambda name: len(list((responses / name).glob("part-*.jsonl"))),
    )


def _middle_part(settings, form_id: str):
    parts = sorted((settings.landing / FORMS / "responses" / form_id).glob("part-*.jsonl"))
    assert len(parts) >= 3
    return parts[len(parts) // 2]


def _assert_same_as_clean(settings, clean_run) -> None:
    landed = landed_keys(settings.landing)
    assert data_keys(landed) == data_keys(clean_run)
    assert max(landed.values()) == 1
    assert response_count(landed) == response_count(clean_run)
    assert verify_landing(settings, repair=False).findings == []


@pytest.fixture
def landed(work_settings, forms_server, clean_run):
    run_in_process(work_settings, forms_server.url)
    assert landed_keys(work_settings.landing) == clean_run
    return work_settings


def _impact_verify(settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "IMPACT_WORK_DIR": str(settings.work),
        "IMPACT_LANDING_DIR": str(settings.landing),
    }
    return subprocess.run(
        [sys.executable, "-m", "impact_warehouse.cli", "verify", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_deleted_part_is_found_by_verify_and_pulled_again(landed, forms_server, clean_run):
    settings = landed
    form_id = _biggest_form(settings)
    part = _middle_part(settings, form_id)
    lost = {json.loads(line)["record_key"] for line in part.read_text().splitlines()}
    part.unlink()
    run_in_process(settings, forms_server.url)  # without verify the rows stay lost
    assert response_count(landed_keys(settings.landing)) == response_count(clean_run) - len(lost)

    checked = _impact_verify(settings, "--check")
    assert checked.returncode == 1
    assert part.name in checked.stdout and "要対応" in checked.stdout
    repaired = _impact_verify(settings)
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert part.name in repaired.stdout and "修復済み" in repaired.stdout
    earliest = min(key.split("|")[1] for key in lost)
    assert Watermarks(settings.state).get(FORMS, form_id) == earliest
    assert not part.with_suffix(".keys").exists()  # the index no longer claims them

    run_in_process(settings, forms_server.url)
    _assert_same_as_clean(settings, clean_run)


@pytest.mark.slow
def test_corrupt_part_is_set_aside_and_pulled_again(landed, forms_server, clean_run):
    settings = landed
    form_id = _biggest_form(settings)
    part = _middle_part(settings, form_id)
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0x55  # one flipped bit pattern inside a record
    part.write_bytes(bytes(data))

    report = verify_landing(settings)
    # The form's fingerprints would vouch for what the part held: dropped, rebuilt on the pull.
    finding, dropped = report.findings
    assert finding.path == part and finding.problem == "damaged_part" and finding.repaired
    assert dropped.problem == "fingerprint_index_dropped" and not dropped.path.exists()
    assert not part.exists()
    assert list((settings.landing / "_damaged").rglob(f"{part.name}.*"))
    assert report.watermark_resets[form_id] is not None

    run_in_process(settings, forms_server.url)
    _assert_same_as_clean(settings, clean_run)


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["garbage", "a-key-removed", "truncated"])
def test_corrupt_sidecar_is_rebuilt_by_the_next_run_without_doubles(
    damage, landed, forms_server, clean_run
):
    settings = landed
    sidecar = _middle_part(settings, _biggest_form(settings)).with_suffix(".keys")
    lines = sidecar.read_text().splitlines()
    sidecar.write_text(
        {
            "garbage": "{not json\n",
            "a-key-removed": "\n".join(lines[1:]) + "\n",
            "truncated": sidecar.read_text()[: len(sidecar.read_text()) // 2],
        }[damage]
    )
    run_in_process(settings, forms_server.url)
    assert sidecar.read_text().splitlines() == lines
    _assert_same_as_clean(settings, clean_run)


@pytest.mark.slow
def test_corrupt_sidecar_and_part_fail_the_run_naming_both_files_then_verify_repairs(
    landed, forms_server, clean_run
):
    settings = landed
    part = _middle_part(settings, _biggest_form(settings))
    part.write_bytes(part.read_bytes()[:-40])
    part.with_suffix(".keys").write_text("{{{{\n")
    with pytest.raises(LandingIntegrityError) as failure:
        run_in_process(settings, forms_server.url)
    assert str(part) in str(failure.value) and str(part.with_suffix(".keys")) in str(failure.value)

    report = verify_landing(settings)
    assert {f.problem for f in report.findings} == {"damaged_part", "fingerprint_index_dropped"}
    run_in_process(settings, forms_server.url)
    _assert_same_as_clean(settings, clean_run)


@pytest.mark.slow
def test_unreadable_watermark_names_its_file_and_verify_resets_it(landed, forms_server, clean_run):
    settings = landed
    form_id = _biggest_form(settings)
    mark = settings.state / "watermarks" / FORMS / f"{form_id}.json"
    mark.write_text("{")
    with pytest.raises(LandingIntegrityError, match=str(mark)):
        run_in_process(settings, forms_server.url)
    assert [f.problem for f in verify_landing(settings).findings] == ["unreadable_watermark"]
    run_in_process(settings, forms_server.url)
    _assert_same_as_clean(settings, clean_run)


@pytest.mark.slow
def test_temporaries_of_a_killed_run_are_removed_by_the_next_run(landed, forms_server, clean_run):
    settings = landed
    form_id = _biggest_form(settings)
    planted = [
        settings.landing / FORMS / "responses" / form_id / ".part-x-00001.jsonl.tmp-0badf00d",
        settings.quarantine / FORMS / form_id / ".part-x-00001.keys.tmp-0badf00d",
        settings.landing / "operations" / "roster" / ".part-x-rows.jsonl.tmp-0badf00d",
        settings.state / "watermarks" / FORMS / f".{form_id}.json.tmp-0badf00d",
    ]
    for path in planted:
        path.write_text('{"half": ')
    run_in_process(settings, forms_server.url)
    assert not temporaries(settings.landing)
    _assert_same_as_clean(settings, clean_run)
