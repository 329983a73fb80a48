"""SIGKILL a real ingest process at every point of the landing protocol, then run again:
nothing lost, nothing doubled (the landed key multiset equals a clean run's)."""

from __future__ import annotations

import signal
import time

import pytest
from fault_support import data_keys, finish, landed_keys, response_count, temporaries

from impact_warehouse.landing.verify import verify_landing

RESPONSES = "*/google_forms/responses/*"

# (kill spec, what the crash leaves behind)
CRASH_POINTS = [
    pytest.param(f"before:{RESPONSES}.jsonl:3", id="part-written-not-renamed"),
    pytest.param(f"after:{RESPONSES}.jsonl:3", id="part-renamed-no-sidecar"),
    pytest.param(f"after:{RESPONSES}.keys:3", id="sidecar-renamed-no-manifest-line"),
    pytest.param("after:*/operations/roster/*.keys:1", id="operations-mid-workbook"),
    pytest.param("before:*/_state/watermarks/*.json:2", id="before-a-watermark-moves"),
]


@pytest.mark.slow
@pytest.mark.parametrize("kill", CRASH_POINTS)
def test_killed_at_a_crash_window_then_rerun_lands_everything_once(
    kill, tmp_path, clean_run, start_worker
):
    work = tmp_path / "work"
    code, _, stderr = finish(start_worker(work, "--kill", kill))
    assert code == -signal.SIGKILL, f"the worker was not killed at {kill}: {stderr[-500:]}"
    partial = landed_keys(work / "landing")
    assert max(partial.values(), default=1) == 1
    assert response_count(partial) < response_count(clean_run)
    if kill.startswith("before:"):
        assert temporaries(work / "landing"), "the killed run should leave its temporary"

    # The dead run's lock was released by the kernel: the rerun does not wait at all.
    code, _, stderr = finish(start_worker(work, env={"IMPACT_LANDING_LOCK_TIMEOUT": "0"}))
    assert code == 0, stderr[-2000:]
    final = landed_keys(work / "landing")
    assert data_keys(final) == data_keys(clean_run)
    assert max(final.values()) == 1
    assert not temporaries(work / "landing")
    # The index load repaired the crash window (sidecar, manifest line): nothing left to fix.
    assert verify_landing(_settings(work), repair=False).findings == []


@pytest.mark.slow
def test_quarantine_of_a_page_killed_after_its_part_is_not_lost(tmp_path, clean_run, start_worker):
    work = tmp_path / "work"
    code, _, _ = finish(start_worker(work, "--kill", f"after:{RESPONSES}.keys:5"))
    if code != -signal.SIGKILL:
        raise RuntimeError("the worker was not killed")
    code, _, stderr = finish(start_worker(work))
    if code != 0:
        raise RuntimeError(stderr[-2000:])
    assert landed_keys(work / "landing") == clean_run


@pytest.mark.slow
def test_killed_from_outside_while_landing_then_rerun_lands_everything_once(
    tmp_path, clean_run, start_worker
):
    """A kill from outside, at whatever point the run has reached after its first page."""
    work = tmp_path / "work"
    process = start_worker(work, "--page-size", "5")
    responses = work / "landing" / "google_forms" / "responses"
    while process.poll() is None and not list(responses.glob("*/part-*.jsonl")):
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    code, _, _ = finish(process)
    assert code == -signal.SIGKILL, "the run finished before it could be killed"
    assert response_count(landed_keys(work / "landing")) < response_count(clean_run)

    code, _, stderr = finish(start_worker(work, env={"IMPACT_LANDING_LOCK_TIMEOUT": "0"}))
    assert code == 0, stderr[-2000:]
    final = landed_keys(work / "landing")
    assert data_keys(final) == data_keys(clean_run)
    assert max(final.values()) == 1
    assert not temporaries(work / "landing")


def _settings(work):
    from impact_warehouse.settings import Settings

    return Settings.for_work_dir(work, work / "unused-inbox")
