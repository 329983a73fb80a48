"""Fixtures of the fault suite: demo sources, the local Forms API, real ingest processes and a
clean run to compare every faulted run with (the landed key multiset, store by store)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fault_support import AS_OF, TOKEN, WORKER, landed_keys

from impact_warehouse.demo.forms_api_faults import FaultPlan
from impact_warehouse.demo.forms_api_server import FormsApiServer
from impact_warehouse.demo.generator import generate_demo_sources
from impact_warehouse.settings import Settings


@pytest.fixture(scope="session")
def fault_sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fault_sources")
    generate_demo_sources(out, seed=2025, as_of=AS_OF)
    return out


@pytest.fixture(scope="session")
def forms_server(fault_sources: Path) -> Iterator[FormsApiServer]:
    # A little latency per request, so a run lasts long enough for another to overlap it.
    slow = FaultPlan(delay_every_request=0.02)
    with FormsApiServer(fault_sources / "google_forms", token=TOKEN, faults=slow) as server:
        yield server


@pytest.fixture
def start_worker(
    fault_sources: Path, forms_server: FormsApiServer
) -> Callable[..., subprocess.Popen[str]]:
    """Start a real ingest process on a work folder (see ingest_worker.py for the options)."""

    def start(work: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        command = [
            sys.executable,
            str(WORKER),
            "--work",
            str(work),
            "--inbox",
            str(fault_sources / "inbox"),
            "--url",
            forms_server.url,
            # One argument: a random token may start with "-", which argparse reads as an option.
            f"--token={TOKEN}",
            *extra,
        ]
        return subprocess.Popen(
            command,
            env={**os.environ, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    return start


@pytest.fixture(scope="session")
def clean_run(
    tmp_path_factory: pytest.TempPathFactory, fault_sources: Path, forms_server: FormsApiServer
) -> Counter[tuple[str, str]]:
    """The landed key multiset of one undisturbed run: what every faulted run must end with."""
    work = tmp_path_factory.mktemp("clean_run")
    command = [
        sys.executable,
        str(WORKER),
        "--work",
        str(work),
        "--inbox",
        str(fault_sources / "inbox"),
        "--url",
        forms_server.url,
        f"--token={TOKEN}",
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    keys = landed_keys(work / "landing")
    assert keys and max(keys.values()) == 1
    return keys


@pytest.fixture
def work_settings(tmp_path: Path, fault_sources: Path) -> Settings:
    return Settings.for_work_dir(tmp_path / "work", fault_sources / "inbox")
