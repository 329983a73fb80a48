"""The gate in a worker that loads Great Expectations while dbt builds (pipeline/gate_worker.py):
the same result as in the calling process, which never imports GX; a worker that fails leaves
the gate to the caller; the quality package itself imports GX only for what validates."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
import time
from concurrent.futures import Future
from datetime import date
from pathlib import Path

import pytest

from impact_warehouse.pipeline import gate_worker
from impact_warehouse.pipeline.gate_worker import GateWorker
from impact_warehouse.quality import run_gate
from impact_warehouse.settings import paths
from impact_warehouse.worker_process import WorkerFailed, WorkerProcess, call_payload

AS_OF = date(2026, 11, 23)

IN_A_FRESH_PROCESS = """
import json, sys
from datetime import date
from pathlib import Path
from impact_warehouse.pipeline.gate_worker import GateWorker
from impact_warehouse.settings import paths
with GateWorker(wanted=True) as gates:
    result = gates.run_gate(Path(sys.argv[1]), paths(), as_of=date(2026, 11, 23),
                            data_docs_dir=Path(sys.argv[2]))
print(json.dumps({"gx_here": "great_expectations" in sys.modules, "passed": result.passed,
                  "findings": sorted(repr(f) for f in result.findings)}))
"""


def _audit_copy(demo_warehouse_path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(demo_warehouse_path, folder / "audit.duckdb"))


def test_the_gate_in_a_worker_judges_as_here_and_gx_never_loads_here(
    demo_warehouse_path: Path, tmp_path: Path
) -> None:
    audit = _audit_copy(demo_warehouse_path, tmp_path / "worker")
    ran = subprocess.run(
        [sys.executable, "-c", IN_A_FRESH_PROCESS, str(audit), str(tmp_path / "docs_worker")],
        capture_output=True,
        text=True,
        check=True,
    )
    in_worker = json.loads(ran.stdout.splitlines()[-1])
    here = run_gate(
        _audit_copy(demo_warehouse_path, tmp_path / "here"),
        paths(),
        as_of=AS_OF,
        data_docs_dir=tmp_path / "docs_here",
    )

    assert in_worker["gx_here"] is False
    assert in_worker["passed"] == here.passed
    assert in_worker["findings"] == sorted(repr(f) for f in here.findings)
    assert (tmp_path / "docs_worker" / "index.html").is_file()


def test_a_failed_worker_leaves_the_gate_to_this_process(
    demo_warehouse_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def fails(self: WorkerProcess, payload: bytes, **_: object) -> object:
        raise WorkerFailed("quality gate: exit -9: killed")

    monkeypatch.setattr(WorkerProcess, "call", fails)
    audit = _audit_copy(demo_warehouse_path, tmp_path)
    with (
        caplog.at_level(logging.WARNING, logger=gate_worker.__name__),
        GateWorker(wanted=True) as gates,
    ):
        result = gates.run_gate(audit, paths(), as_of=AS_OF, data_docs_dir=tmp_path / "d")

    assert result.summary["checks"]
    assert "the gate runs in this process" in caplog.text


def test_meanwhile_runs_here_while_the_worker_judges(
    demo_warehouse_path: Path, tmp_path: Path
) -> None:
    # The page the worker's gate writes at its end appears while `meanwhile` waits here: the
    # two run at once. Were `meanwhile` run before the gate, it would wait out its guard.
    audit = _audit_copy(demo_warehouse_path, tmp_path)
    gate_page = tmp_path / "docs" / "index.html"
    seen: list[bool] = []

    def wait_for_the_gate() -> None:
        guard = time.monotonic() + 300  # a deadlock guard, not a speed bound
        while not gate_page.is_file() and time.monotonic() < guard:
            time.sleep(0.05)
        seen.append(gate_page.is_file())

    with GateWorker(wanted=True) as gates:
        result = gates.run_gate(
            audit, paths(), as_of=AS_OF, data_docs_dir=gate_page.parent, meanwhile=wait_for_the_gate
        )
    assert seen == [True]
    assert result.summary["checks"]


def test_without_a_worker_meanwhile_runs_before_the_gate(
    demo_warehouse_path: Path, tmp_path: Path
) -> None:
    audit = _audit_copy(demo_warehouse_path, tmp_path)
    gate_page = tmp_path / "docs" / "index.html"
    seen: list[bool] = []
    with GateWorker(wanted=False) as gates:
        gates.run_gate(
            audit,
            paths(),
            as_of=AS_OF,
            data_docs_dir=gate_page.parent,
            meanwhile=lambda: seen.append(gate_page.exists()),
        )
    assert seen == [False] and gate_page.is_file()


def test_what_meanwhile_raises_is_raised_and_the_worker_stops(tmp_path: Path) -> None:
    def fails() -> None:
        raise LookupError("no status page")

    gates = GateWorker(wanted=True)
    worker = gates._process
    assert worker is not None
    with gates, pytest.raises(LookupError, match="no status page"):
        gates.run_gate(tmp_path / "audit.duckdb", paths(), as_of=AS_OF, meanwhile=fails)
    assert not worker.running


class _Interrupted(BaseException):
    """Stands for Ctrl-C (a KeyboardInterrupt would stop the test run itself)."""


def test_an_interruption_while_waiting_stops_the_worker_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A gate that would run for an hour (its timeout, too); interrupted while this process
    # waits for it, the worker is killed at once. Were it waited for, the test would outlast
    # pytest's own timeout (pyproject.toml) and fail there.
    monkeypatch.setattr(
        gate_worker, "call_payload", lambda label, *_: call_payload(label, time.sleep, [3600])
    )

    def interrupted(*_: object, **__: object) -> object:
        raise _Interrupted

    monkeypatch.setattr(Future, "result", interrupted)
    gates = GateWorker(wanted=True)
    worker = gates._process
    assert worker is not None
    with gates, pytest.raises(_Interrupted):
        gates.run_gate(tmp_path / "audit.duckdb", paths(), as_of=AS_OF)
    assert not worker.running


def test_a_worker_failure_raised_by_meanwhile_is_raised_not_taken_for_the_gates(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def fails() -> None:
        raise WorkerFailed("status page worker: exit 1")

    with (
        caplog.at_level(logging.WARNING, logger=gate_worker.__name__),
        GateWorker(wanted=True) as gates,
        pytest.raises(WorkerFailed, match="status page worker"),
    ):
        gates.run_gate(tmp_path / "audit.duckdb", paths(), as_of=AS_OF, meanwhile=fails)
    assert "the gate runs in this process" not in caplog.text


@pytest.mark.parametrize("failure", ["worker dies", "options cannot travel"])
def test_a_failed_worker_calls_meanwhile_once(
    demo_warehouse_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    if failure == "worker dies":

        def dies(self: WorkerProcess, payload: bytes, **_: object) -> object:
            raise WorkerFailed("quality gate: exit -9: killed")

        monkeypatch.setattr(WorkerProcess, "call", dies)
    else:

        def cannot_travel(label: str, *_: object) -> bytes:
            raise WorkerFailed(f"{label}: cannot hand over its arguments (a lock)")

        monkeypatch.setattr(gate_worker, "call_payload", cannot_travel)
    calls: list[str] = []
    with GateWorker(wanted=True) as gates:
        result = gates.run_gate(
            _audit_copy(demo_warehouse_path, tmp_path),
            paths(),
            as_of=AS_OF,
            data_docs_dir=tmp_path / "d",
            meanwhile=lambda: calls.append("meanwhile"),
        )
    assert calls == ["meanwhile"]
    assert result.summary["checks"]


def test_what_the_gate_raises_in_the_worker_is_raised_here(tmp_path: Path) -> None:
    with GateWorker(wanted=True) as gates, pytest.raises(Exception, match=r"missing\.duckdb"):
        gates.run_gate(tmp_path / "missing.duckdb", paths(), as_of=AS_OF)


def test_a_misspelt_switch_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(gate_worker.WORKER_ENV, "yes")
    with pytest.raises(ValueError, match="IMPACT_GATE_WORKER='yes'"):
        GateWorker()


def test_the_quality_package_loads_gx_only_for_what_validates() -> None:
    script = (
        "import sys\n"
        "import impact_warehouse.quality, impact_warehouse.quality.model\n"
        "import impact_warehouse.quality.privacy_masking\n"
        "print('great_expectations' in sys.modules)\n"
        "from impact_warehouse.quality import run_gate\n"
        "print('great_expectations' in sys.modules)\n"
    )
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert ran.stdout.split()[-2:] == ["False", "True"]
