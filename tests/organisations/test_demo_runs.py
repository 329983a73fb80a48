"""``impact organisations demo``: every organisation in turn, each in its own scope and with
its output prefixed, one failure not stopping the next, then the funder's portfolio.

``impact`` itself is replaced by a small script that reports the scope it ran in (the real
``impact demo`` runs Airflow for minutes; tests/organisations/test_two_organisations.py runs
the real jobs of two organisations).
"""

from __future__ import annotations

import csv
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from impact_warehouse.cli import main
from impact_warehouse.cli import organisations as organisations_cli
from impact_warehouse.organisations import load_registry
from impact_warehouse.settings import PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / "examples" / "hataraku_women"
# Prints what it was run as and fails for the organisation named by IMPACT_DEMO_FAILS.
FAKE_IMPACT = """
import os, sys
organisation = os.environ.get("IMPACT_ORGANISATION", "-")
print("ran", " ".join(sys.argv[1:]), "as", organisation)
print("work", os.environ["IMPACT_WORK_DIR"])
print("registry", os.environ.get("IMPACT_ORGANISATIONS_DIR", "-"))
sys.exit(1 if organisation == os.environ.get("IMPACT_DEMO_FAILS") else 0)
"""


def add_organisation(registry: Path, code: str) -> None:
    target = Path(shutil.copytree(EXAMPLE, registry / code))
    profile = target / "organisation.csv"
    header, row = profile.read_text(encoding="utf-8").splitlines()[:2]
    profile.write_text(f"{header}\n{code}{row[row.index(',') :]}\n", encoding="utf-8")


@pytest.fixture
def installation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    registry = tmp_path / "organisations"
    registry.mkdir()
    for code in ("alpha_org", "beta_org", "gamma_org"):
        add_organisation(registry, code)
    monkeypatch.setenv("IMPACT_ORGANISATIONS_DIR", str(registry))
    monkeypatch.setenv("IMPACT_WORK_DIR", str(tmp_path / "work"))

    def fake_command(impact_args: Sequence[str]) -> list[str]:
        return [sys.executable, "-c", FAKE_IMPACT, *impact_args]

    monkeypatch.setattr(organisations_cli, "_impact_command", fake_command)
    return tmp_path


def test_each_organisation_runs_in_turn_in_its_own_scope(
    installation: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("IMPACT_DEMO_FAILS", "beta_org")

    code = main(["organisations", "demo", "--seed", "7"])
    out = capfd.readouterr().out

    # beta_org failed; gamma_org still ran after it, and the portfolio was built.
    assert code == 1
    ran = [line for line in out.splitlines() if "ran demo" in line]
    assert ran == [
        f"[{org}] ran demo --seed 7 as {org}" for org in ("alpha_org", "beta_org", "gamma_org")
    ]
    for organisation in ("alpha_org", "beta_org", "gamma_org"):
        work = installation / "work" / "organisations" / organisation
        assert f"[{organisation}] work {work}" in out
        assert f"[{organisation}] registry {installation / 'organisations'}" in out
    portfolio = [line for line in out.splitlines() if line.startswith("ran portfolio build")]
    assert len(portfolio) == 1 and portfolio[0].endswith("as -")
    assert "デモが失敗した組織: beta_org" in out


def test_the_portfolio_names_each_organisations_releases(installation: Path) -> None:
    organisations = load_registry()
    folder = organisations_cli.demo_funder_folder(organisations)

    with (folder / "portfolio.csv").open(encoding="utf-8", newline="") as handle:
        rows = {row["organisation_code"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"alpha_org", "beta_org", "gamma_org"}
    for code, row in rows.items():
        assert Path(row["releases_dir"]) == (
            installation / "work" / "organisations" / code / "releases"
        )
    assert (folder / "common_indicators.csv").is_file()


def test_the_shipped_funder_folder_names_the_checkouts_organisations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("IMPACT_WORK_DIR", raising=False)
    monkeypatch.delenv("IMPACT_INSTALLATION_WORK_DIR", raising=False)
    monkeypatch.delenv("IMPACT_ORGANISATIONS_DIR", raising=False)

    folder = organisations_cli.demo_funder_folder(load_registry())
    assert folder == PROJECT_ROOT / "examples" / "portfolio"


def test_only_runs_one_organisation_and_no_portfolio(
    installation: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    code = main(["organisations", "demo", "--only", "gamma_org"])
    out = capfd.readouterr().out

    assert code == 0
    assert [line for line in out.splitlines() if " ran " in line] == [
        "[gamma_org] ran demo --seed 2025 as gamma_org"
    ]
    assert "ran portfolio" not in out
