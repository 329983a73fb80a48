"""Two real ingest processes on one landing zone: each record lands once; the second run waits
for the first (or stops with a message naming the holder) and finds its records landed."""

from __future__ import annotations

import os

import pytest
from fault_support import data_keys, finish, landed_keys, response_count

from impact_warehouse.catalog import load_catalog
from impact_warehouse.landing.lock import landing_lock


@pytest.mark.slow
def test_two_concurrent_ingests_land_each_record_once(tmp_path, clean_run, start_worker):
    work = tmp_path / "work"
    go = tmp_path / "go"
    first = start_worker(work, "--go-file", str(go))
    second = start_worker(work, "--go-file", str(go))
    for process in (first, second):  # both are ready before either starts landing
        assert process.stderr.readline().strip() == "ready"
    go.touch()
    results = [finish(first), finish(second)]
    for code, _, stderr in results:
        assert code == 0, stderr[-2000:]

    landed = landed_keys(work / "landing")
    assert max(landed.values()) == 1
    assert landed == clean_run
    assert response_count(landed) == response_count(clean_run)
    # Every unit was landed by one run; the other waited and found it landed.
    by_unit = [{(u["source"], u["source_ref"]): u for u in units} for _, units, _ in results]
    assert by_unit[0].keys() == by_unit[1].keys()
    for unit in by_unit[0]:
        runs = sorted((by_unit[0][unit], by_unit[1][unit]), key=lambda u: u["landed"])
        assert runs[0]["landed"] == 0, f"{unit} landed by both runs"
        if runs[1]["landed"]:
            assert runs[0]["already_landed"] > 0, f"{unit}: second run did not see the first's"


def _form_and_wave() -> tuple[str, str]:
    wave = next(
        w
        for w in sorted(load_catalog().waves.values(), key=lambda w: w.wave_code)
        if w.source_system == "google_forms" and w.source_ref.endswith("2025-post")
    )
    return wave.source_ref, wave.wave_code


@pytest.mark.slow
def test_a_second_run_stops_with_a_message_naming_the_source_and_the_holder(tmp_path, start_worker):
    work = tmp_path / "work"
    form_id, wave = _form_and_wave()
    with landing_lock(work / "landing" / "_state", "google_forms", form_id):
        code, _, stderr = finish(
            start_worker(work, "--wave", wave, env={"IMPACT_LANDING_LOCK_TIMEOUT": "0.5"})
        )
    assert code != 0
    assert "LandingBusyError" in stderr
    assert f"Google フォームの回答（{form_id}）は別の取り込みが実行中" in stderr
    assert f"プロセス {os.getpid()}" in stderr
    assert "IMPACT_LANDING_LOCK_TIMEOUT" in stderr
    assert not list((work / "landing" / "google_forms" / "responses").glob("*/part-*"))


@pytest.mark.slow
def test_a_second_run_waits_for_the_first_then_lands(tmp_path, clean_run, start_worker):
    work = tmp_path / "work"
    form_id, wave = _form_and_wave()
    with landing_lock(work / "landing" / "_state", "google_forms", form_id):
        process = start_worker(work, "--wave", wave, env={"IMPACT_LANDING_LOCK_TIMEOUT": "300"})
        # Released only once the run has said it is waiting for this process.
        for line in process.stderr:
            if "is locked by" in line:
                assert f"pid={os.getpid()}" in line
                break
        else:
            pytest.fail("the run never waited for the lock")
    code, units, stderr = finish(process)
    assert code == 0, stderr[-2000:]
    folder = f"google_forms/responses/{form_id}"
    expected = {key for key in data_keys(clean_run) if key[0] == folder}
    assert {key for key in landed_keys(work / "landing") if key[0] == folder} == expected
    assert units[0]["landed"] == len(expected)
