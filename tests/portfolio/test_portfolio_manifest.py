"""The current portfolio's pointer and manifest as a disk or a hand edit may leave them: a
damaged one is a named, Japanese refusal from `impact portfolio report`, not a traceback. No
release is built here: the manifest is written the way a build writes it."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from impact_warehouse.cli import main
from impact_warehouse.portfolio import PortfolioRelease, current_portfolio
from impact_warehouse.portfolio.build import SourceEntry
from impact_warehouse.publish.files import DamagedRecordError

PORTFOLIO_ID = "P-20261203-0400-ab12"


def _releases_dir(work: Path) -> Path:
    return work / "portfolio" / "releases"


def _written(work: Path) -> PortfolioRelease:
    directory = _releases_dir(work) / PORTFOLIO_ID
    directory.mkdir(parents=True)
    release = PortfolioRelease(
        portfolio_id=PORTFOLIO_ID,
        created_at="2026-12-03T04:00:00+00:00",
        common_indicators_sha256="c" * 64,
        portfolio_sha256="p" * 64,
        sources=(
            SourceEntry("service_grant", "R-1", 2025, "2026-12-01", "s" * 64, "m.csv", "m" * 64),
        ),
        tables={"indicator_figures": 12},
        sha256="d" * 64,
        directory=directory,
    )
    (directory / "portfolio.json").write_text(release.to_json(), encoding="utf-8")
    (_releases_dir(work) / "CURRENT").write_text(PORTFOLIO_ID + "\n", encoding="utf-8")
    return release


def test_a_written_manifest_reads_back_as_it_was(tmp_path: Path) -> None:
    release = _written(tmp_path)
    assert current_portfolio(_releases_dir(tmp_path)) == release


def _edit_manifest(work: Path, edit) -> None:
    path = _releases_dir(work) / PORTFOLIO_ID / "portfolio.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(edit(record)), encoding="utf-8")


DAMAGES = {
    "not JSON": lambda work: (_releases_dir(work) / PORTFOLIO_ID / "portfolio.json").write_bytes(
        b'{"portfolio_id": "P-'
    ),
    "a list": lambda work: _edit_manifest(work, lambda record: [record]),
    "a field missing": lambda work: _edit_manifest(
        work, lambda record: {k: v for k, v in record.items() if k != "sha256"}
    ),
    "a field of another type": lambda work: _edit_manifest(
        work, lambda record: {**record, "tables": ["indicator_figures"]}
    ),
    "a source that is no record": lambda work: _edit_manifest(
        work, lambda record: {**record, "sources": ["service_grant"]}
    ),
    "a source lacking its release": lambda work: _edit_manifest(
        work,
        lambda record: {**record, "sources": [{"organisation_code": "service_grant"}]},
    ),
    "an unknown field": lambda work: _edit_manifest(work, lambda record: {**record, "extra": 1}),
    "a count that is text": lambda work: _edit_manifest(
        work, lambda record: {**record, "tables": {"indicator_figures": "12"}}
    ),
    "the manifest missing": lambda work: (
        _releases_dir(work) / PORTFOLIO_ID / "portfolio.json"
    ).unlink(),
    "CURRENT naming a path": lambda work: (_releases_dir(work) / "CURRENT").write_text("../../etc"),
    "CURRENT not UTF-8": lambda work: (_releases_dir(work) / "CURRENT").write_bytes(b"P-\xff\xfe"),
}


@pytest.mark.parametrize("damage", DAMAGES, ids=list(DAMAGES))
def test_a_damaged_portfolio_record_is_a_named_refusal(
    damage: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _written(tmp_path)
    DAMAGES[damage](tmp_path)
    with pytest.raises(DamagedRecordError):
        current_portfolio(_releases_dir(tmp_path))
    monkeypatch.setenv("IMPACT_WORK_DIR", str(tmp_path))
    assert main(["portfolio", "report", "--out", str(tmp_path / "again.html")]) == 1
    output = capsys.readouterr()
    assert "記録ファイル" in output.out + output.err
    assert not (tmp_path / "again.html").exists()


def test_an_empty_or_unreadable_pointer_is_named(tmp_path: Path) -> None:
    """CURRENT is always written whole: an empty one is damaged, as is a folder in its place."""
    releases = tmp_path / "releases"
    releases.mkdir()
    (releases / "CURRENT").write_text("\n", encoding="utf-8")
    with pytest.raises(DamagedRecordError, match="CURRENT cannot be read: it names ''"):
        current_portfolio(releases)

    (releases / "CURRENT").unlink()
    (releases / "CURRENT").mkdir()
    with pytest.raises(DamagedRecordError, match="CURRENT cannot be read"):
        current_portfolio(releases)


def test_a_link_to_nowhere_or_a_pipe_as_pointer_is_named(tmp_path: Path) -> None:
    """A dangling CURRENT is damage, not "no portfolio yet"; a link to another file and a pipe
    are refused unread."""
    releases = tmp_path / "releases"
    releases.mkdir()
    (releases / "CURRENT").symlink_to(releases / "gone")
    with pytest.raises(DamagedRecordError, match="not a regular file"):
        current_portfolio(releases)

    (releases / "CURRENT").unlink()
    secret = tmp_path / "secret.txt"
    secret.write_text("token-abc123\n", encoding="utf-8")
    (releases / "CURRENT").symlink_to(secret)
    with pytest.raises(DamagedRecordError, match="it is a link") as refused:
        current_portfolio(releases)
    assert "token-abc123" not in str(refused.value)

    (releases / "CURRENT").unlink()
    os.mkfifo(releases / "CURRENT")
    with pytest.raises(DamagedRecordError, match="not a regular file"):
        current_portfolio(releases)


def test_a_socket_as_pointer_is_named_as_no_regular_file(tmp_path: Path) -> None:
    """Opening a socket gives ENXIO, not a file: named like the pipe, not as "Errno 6"."""
    releases = tmp_path / "releases"
    releases.mkdir()
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(releases / "CURRENT"))
        with pytest.raises(DamagedRecordError, match="it is not a regular file"):
            current_portfolio(releases)
