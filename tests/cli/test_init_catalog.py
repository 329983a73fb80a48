"""``impact init``: a new organisation's empty catalog and its owner-only pseudonym key."""

from __future__ import annotations

import csv
import stat
from pathlib import Path

import pytest

from impact_warehouse.cli import main
from impact_warehouse.cli.init_catalog import init_catalog
from impact_warehouse.settings import BUILTIN_CATALOG_DIR


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def test_init_writes_every_catalog_file_with_its_header(tmp_path: Path) -> None:
    folder = tmp_path / "new_org"
    init_catalog(folder, secrets_dir=tmp_path / "secrets")
    for builtin in BUILTIN_CATALOG_DIR.glob("*.csv"):
        written = folder / builtin.name
        assert written.is_file(), builtin.name
        assert _header(written)[: len(_header(builtin))] == _header(builtin)
    for name in ("organisation.csv", "scale_measures.csv", "indicator_targets.csv"):
        assert (folder / name).is_file()
    assert (folder / "demo" / "cohorts.csv").is_file()
    assert "## `items.csv`" in (folder / "README.md").read_text(encoding="utf-8")


def test_the_new_organisation_row_asks_for_the_profile_demo(tmp_path: Path) -> None:
    folder = tmp_path / "Sakura NPO"
    init_catalog(folder, secrets_dir=tmp_path / "secrets")
    with (folder / "organisation.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1
    assert rows[0]["organisation_code"] == "sakura_npo"
    assert rows[0]["demo_data"] == "profile"


def test_init_creates_an_owner_only_key_of_at_least_32_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IMPACT_PSEUDONYM_KEY", raising=False)
    secrets_dir = tmp_path / "secrets"
    init_catalog(tmp_path / "org", secrets_dir=secrets_dir)
    key_file = secrets_dir / "pseudonym.key"
    assert len(key_file.read_text(encoding="utf-8").strip().encode()) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(secrets_dir.stat().st_mode) == 0o700


def test_init_keeps_an_existing_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IMPACT_PSEUDONYM_KEY", raising=False)
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir()
    (secrets_dir / "pseudonym.key").write_text("k" * 64 + "\n", encoding="utf-8")
    lines = init_catalog(tmp_path / "org", secrets_dir=secrets_dir)
    assert (secrets_dir / "pseudonym.key").read_text(encoding="utf-8") == "k" * 64 + "\n"
    assert any("kept the existing" in line for line in lines)


def test_init_refuses_an_existing_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "existing"
    folder.mkdir()
    (folder / "programs.csv").write_text("mine\n", encoding="utf-8")
    assert main(["init", str(folder)]) == 1
    assert "すでにあります" in capsys.readouterr().out
    assert (folder / "programs.csv").read_text(encoding="utf-8") == "mine\n"
    assert not (folder / "README.md").exists()


def test_init_command_prints_next_steps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMPACT_SECRETS_DIR", str(tmp_path / "secrets"))
    assert main(["init", str(tmp_path / "org")]) == 0
    out = capsys.readouterr().out
    assert "IMPACT_CATALOG_DIR=" in out
    assert "python -m impact_warehouse.catalog --seeds" in out
