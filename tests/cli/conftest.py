"""Shared fixtures: demo sources served by the local Forms API, and one backfilled demo release."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import AS_OF, TOKEN, Backfilled, impact_env

from impact_warehouse.cli import main
from impact_warehouse.demo.forms_api_server import FormsApiServer
from impact_warehouse.demo.generator import generate_demo_sources


@pytest.fixture(scope="session")
def cli_demo_sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli-demo-sources")
    generate_demo_sources(out, seed=2025, as_of=AS_OF)
    return out


@pytest.fixture(scope="session")
def cli_forms_server(cli_demo_sources: Path) -> Iterator[FormsApiServer]:
    with FormsApiServer(cli_demo_sources / "google_forms", token=TOKEN) as server:
        yield server


@pytest.fixture(scope="session")
def backfilled(
    tmp_path_factory: pytest.TempPathFactory,
    cli_demo_sources: Path,
    cli_forms_server: FormsApiServer,
) -> Backfilled:
    """``impact backfill --from-fy 2022 --to-fy 2026`` from an empty landing (one publish)."""
    work = tmp_path_factory.mktemp("cli-backfill") / "work"
    inbox = cli_demo_sources / "inbox"
    capture = tmp_path_factory.mktemp("cli-backfill-out") / "stdout.txt"
    argv = ["backfill", "--from-fy", "2022", "--to-fy", "2026", "--as-of", AS_OF.isoformat()]
    with (
        impact_env(work, inbox, cli_forms_server.url),
        capture.open("w") as handle,
        contextlib.redirect_stdout(handle),
    ):
        code = main(argv)
    output = capture.read_text(encoding="utf-8")
    assert code == 0, output
    return Backfilled(work, inbox, cli_forms_server.url, output)
