"""Builds made once per test run, however many pytest-xdist workers ask for them.

Each worker is its own pytest session, so a session fixture runs once per worker: the demo
warehouse was landed and built by both workers side by side (~80 s each on two cores), and a
module fixture ran again in every worker that got one of its module's tests. Here the first
worker to ask builds under a file lock in the run's shared temporary folder (the recipe of
pytest-xdist's documentation) and writes a record; the others wait for the lock and read the
record. Without xdist the build is made in the session's own folder, as before.

The build's DuckDB file is then copied into the asking worker's own folder: tests open it
read-write (``dbt docs generate``, the gate), and DuckDB lets one process at a time do that.
Everything else a shared build made (its landing folder, vault, dbt target folder, a published
release) is read by both workers at once: a test that writes must copy it first.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from impact_warehouse.file_lock import held_file_lock
from impact_warehouse.transform.dbt_runner import DbtRun

# A build waits at most this long for another worker's build of the same thing: the per-test
# timeout (pyproject.toml, 600 s, fixture setup included) ends a longer wait first anyway.
WAIT_SECONDS = 600.0


class SharedBuildTimeout(RuntimeError):
    """Another worker held a shared build's lock for longer than WAIT_SECONDS."""


def built_once(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    produce: Callable[[Path], dict[str, Any]],
) -> dict[str, Any]:
    """``produce(folder)`` once per test run; returns its record (JSON-serialisable).

    A worker whose ``produce`` failed leaves no record: the next worker to ask tries again
    in an emptied folder (and fails the same way, with its own traceback)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return produce(tmp_path_factory.mktemp(name))
    # <basetemp>/popen-gw0, popen-gw1, …: their parent is this run's alone (pytest-N).
    shared = tmp_path_factory.getbasetemp().parent
    folder = shared / name
    record = shared / f"{name}.json"
    with held_file_lock(
        shared / f"{name}.lock",
        timeout=WAIT_SECONDS,
        waiting_for=f"the shared test build {name!r}",
        busy=lambda holder, waited: SharedBuildTimeout(
            f"{name}: still built by pid {holder.get('pid')} after {waited:.0f} s"
        ),
    ):
        if not record.is_file():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            outcome = produce(folder)
            # Whole or absent: a worker killed mid-write must not leave half a record.
            partial = record.with_name(f".{record.name}.partial")
            partial.write_text(json.dumps(outcome), encoding="utf-8")
            os.replace(partial, record)
    return json.loads(record.read_text(encoding="utf-8"))


def dbt_run_record(run: DbtRun) -> dict[str, Any]:
    """What a worker needs of another worker's build (dbt's own result objects stay behind)."""
    return {
        "command": run.command,
        "duckdb_path": str(run.duckdb_path),
        "target_path": str(run.target_path),
        "elapsed_seconds": run.elapsed_seconds,
        "node_statuses": run.node_statuses,
    }


def own_copy_of_run(record: dict[str, Any], folder: Path) -> DbtRun:
    """The recorded build with its DuckDB file copied into ``folder`` (this worker's own).
    ``result`` is None: dbt's result objects do not cross processes."""
    source = Path(record["duckdb_path"])
    folder.mkdir(parents=True, exist_ok=True)
    database = Path(shutil.copy2(source, folder / source.name))
    journal = source.with_name(source.name + ".wal")  # none after a clean close; kept if any
    if journal.is_file():
        shutil.copy2(journal, folder / journal.name)
    return DbtRun(
        command=list(record["command"]),
        result=None,
        duckdb_path=database,
        target_path=Path(record["target_path"]),
        elapsed_seconds=record["elapsed_seconds"],
        node_statuses=dict(record["node_statuses"]),
    )
