"""The landing lock: one holder at a time across processes, released by the kernel however the
holder ends, and a clear message naming the source and the holder when a run gives up."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from impact_warehouse.landing.lock import (
    LandingBusyError,
    landing_lock,
    landing_unit,
    lock_path,
    lock_timeout_seconds,
)
from impact_warehouse.settings import Settings

# Holds the lock in another process and says so; then sleeps until killed.
HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from impact_warehouse.landing.lock import landing_lock
    with landing_lock(Path(sys.argv[1]), "google_forms", "form-a"):
        print("held", flush=True)
        time.sleep(600)
    """
)


@pytest.fixture
def holder(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "held"
    yield process
    if process.poll() is None:
        process.kill()
        process.wait()


def test_a_second_process_gives_up_with_a_message_naming_source_and_holder(tmp_path, holder):
    with (
        pytest.raises(LandingBusyError) as busy,
        landing_lock(tmp_path, "google_forms", "form-a", timeout=0.3),
    ):
        pytest.fail("the lock was taken twice")
    error = busy.value
    assert error.holder["pid"] == holder.pid
    assert "Google フォームの回答（form-a）は別の取り込みが実行中" in error.staff_message
    assert f"プロセス {holder.pid}" in error.staff_message
    assert f"pid={holder.pid}" in str(error) and str(lock_path(tmp_path, "google_forms", "form-a"))
    # Another unit is not blocked: the lock is per source unit.
    with landing_lock(tmp_path, "google_forms", "form-b", timeout=0):
        pass


def test_the_kernel_releases_the_lock_of_a_killed_holder(tmp_path, holder):
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with landing_lock(tmp_path, "google_forms", "form-a", timeout=0) as me:
        assert me["pid"] == os.getpid()
        written = json.loads(lock_path(tmp_path, "google_forms", "form-a").read_text())
        assert written["pid"] == os.getpid() and written["host"] and written["started_at"]
    # Emptied on release: no stale holder, and the landing zone is unchanged by a no-op run.
    assert lock_path(tmp_path, "google_forms", "form-a").read_text() == ""


def test_timeout_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("IMPACT_LANDING_LOCK_TIMEOUT", raising=False)
    assert lock_timeout_seconds() == 600
    monkeypatch.setenv("IMPACT_LANDING_LOCK_TIMEOUT", "2.5")
    assert lock_timeout_seconds() == 2.5
    monkeypatch.setenv("IMPACT_LANDING_LOCK_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="IMPACT_LANDING_LOCK_TIMEOUT"):
        lock_timeout_seconds()


def test_a_unit_sweeps_only_its_own_temporaries(tmp_path):
    settings = Settings.for_work_dir(tmp_path / "work", tmp_path / "inbox")
    mine = settings.landing / "google_forms" / "responses" / "form-a" / ".part-1.jsonl.tmp-1"
    other = settings.landing / "google_forms" / "responses" / "form-b" / ".part-1.jsonl.tmp-1"
    mark = settings.state / "watermarks" / "google_forms" / ".form-a.json.tmp-1"
    other_mark = settings.state / "watermarks" / "google_forms" / ".form-b.json.tmp-1"
    for path in (mine, other, mark, other_mark):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("half")
    with landing_unit(settings, "google_forms", "form-a", timeout=0) as removed:
        assert sorted(removed) == sorted([mine, mark])
    assert other.exists() and other_mark.exists()
