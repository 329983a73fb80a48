"""Personal data found after landing is masked, listed by key and wave, alerted once, and the
release goes out (issue 12: privacy does not become denial of service).

The injected values are plain emails and hyphenated phone numbers, which any version of the
shared detector finds: these tests are about the masking mechanics, not the detector.
"""

from __future__ import annotations

import json
import shutil
import stat
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import duckdb
import pytest

from impact_warehouse.personal_data import detector
from impact_warehouse.pipeline import release as release_job
from impact_warehouse.quality import privacy_masking, run_gate
from impact_warehouse.quality.privacy_masking import (
    MASK,
    is_identifier_column,
    mask_personal_data,
    masked_cells,
)
from impact_warehouse.settings import Settings, paths

DEMO_AS_OF = date(2026, 11, 23)
HOSTILE_TEXT = "仕事の相談は taro.yamada@example.com か 090-1428-5063 までご連絡ください"


def _text_answer(con: duckdb.DuckDBPyConnection) -> tuple[str, str, str]:
    """(answer_key, response_key, wave_code) of a counted free-text answer."""
    return con.execute(
        "select answer_key, response_key, wave_code from marts.fct_answers "
        "where scale_code = 'text' and value_text is not null order by answer_key limit 1"
    ).fetchone()


@pytest.fixture
def hostile_audit(demo_warehouse_path: Path, tmp_path: Path) -> tuple[Path, tuple[str, str, str]]:
    """A copy of the demo build with one free-text answer holding an email and a phone."""
    audit = Path(shutil.copy(demo_warehouse_path, tmp_path / "audit.duckdb"))
    with duckdb.connect(str(audit)) as con:
        located = _text_answer(con)
        con.execute(
            "update marts.fct_answers set value_text = ? where answer_key = ?",
            [HOSTILE_TEXT, located[0]],
        )
    return audit, located


@pytest.mark.slow
def test_a_flagged_answer_is_published_masked_with_one_alert(
    hostile_audit: tuple[Path, tuple[str, str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    audit, (answer_key, response_key, wave_code) = hostile_audit
    settings = Settings.for_work_dir(tmp_path / "work", tmp_path / "inbox")
    monkeypatch.setenv("IMPACT_WORK_DIR", str(settings.work))
    monkeypatch.setenv("IMPACT_ALERT_CHANNELS", "outbox")

    outcome = release_job.gate_publish_and_alert(
        settings, fiscal_year=2026, run_id="masking-test", as_of=DEMO_AS_OF, audit_db=audit
    )

    assert outcome["gate_passed"], outcome
    assert outcome["release_id"]
    release_dir = settings.work / "releases" / outcome["release_id"]
    published = release_dir / "warehouse.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        (value,) = con.execute(
            "select value_text from marts.fct_answers where answer_key = ?", [answer_key]
        ).fetchone()
    assert value == MASK
    # Not in the release file's bytes, nor in anything staff open (Data Docs, docs site).
    raw_parts = [b"taro.yamada@example.com", b"090-1428-5063"]
    for path in [p for p in release_dir.rglob("*") if p.is_file()]:
        content = path.read_bytes()
        assert not any(part in content for part in raw_parts), path
    # The audit build is masked too, owner-only, and lists the cell by key and wave.
    with duckdb.connect(str(audit), read_only=True) as con:
        (audit_value,) = con.execute(
            "select value_text from marts.fct_answers where answer_key = ?", [answer_key]
        ).fetchone()
        cells = masked_cells(con)
    assert audit_value == MASK
    assert stat.S_IMODE(audit.stat().st_mode) == 0o600
    assert [(c.table, c.column, c.row_key, c.response_key, c.wave_code) for c in cells] == [
        ("marts.fct_answers", "value_text", answer_key, response_key, wave_code)
    ]
    assert set(cells[0].kinds.split(",")) >= {"email", "phone"}

    alerts = [
        json.loads(line)
        for line in (settings.work / "outbox" / "alerts.jsonl").read_text("utf-8").splitlines()
    ]
    privacy = [a for a in alerts if a["alert"]["check_name"] == "no_personal_data"]
    assert len(privacy) == 1, [a["subject"] for a in alerts]
    (alert,) = privacy
    assert alert["alert"]["kind"] == "gate_warning"
    assert alert["alert"]["details"]["waves"] == [wave_code]
    assert response_key in alert["alert"]["details"]["response_keys"]
    assert MASK in alert["body"] and "公開しました" in alert["body"]
    text = json.dumps(alert, ensure_ascii=False)
    assert "taro.yamada" not in text and "1428" not in text
    assert any(a["alert"]["kind"] == "release_published" for a in alerts)

    # Staff see the cell by key and wave in the Data Docs index, never the value.
    index = (release_dir / "data_docs" / "index.html").read_text("utf-8")
    assert response_key in index and wave_code in index and MASK in index


def test_masking_twice_lists_the_cells_once_and_keeps_the_release_going(
    hostile_audit: tuple[Path, tuple[str, str, str]], tmp_path: Path
) -> None:
    audit, (answer_key, _, _) = hostile_audit
    first = mask_personal_data(audit, names=[])
    second = mask_personal_data(audit, names=[])
    assert [cell.row_key for cell in first] == [answer_key]
    assert second == []
    result = run_gate(audit, paths(), as_of=DEMO_AS_OF, data_docs_dir=tmp_path / "docs")
    assert result.passed, [f.message_en for f in result.failures]
    (warning,) = [f for f in result.warnings if f.check_name == "no_personal_data"]
    assert warning.details["masked_cells"] == 1
    assert warning.observed == 1.0
    assert "taro" not in warning.message_en


def test_unmasked_personal_data_fails_the_gate_without_showing_it(
    hostile_audit: tuple[Path, tuple[str, str, str]], tmp_path: Path
) -> None:
    """The gate alone (masking skipped) must never let the value through."""
    audit, _ = hostile_audit
    result = run_gate(audit, paths(), as_of=DEMO_AS_OF, data_docs_dir=tmp_path / "docs")
    assert not result.passed
    (failure,) = [f for f in result.failures if f.check_name == "no_personal_data"]
    assert failure.details["table"] == "marts.fct_answers"
    assert failure.details["column"] == "value_text"
    assert "email" in failure.details["kind"]
    assert "taro" not in json.dumps(failure.details) + failure.message_en
    for page in (tmp_path / "docs").rglob("*.html"):
        assert "taro.yamada" not in page.read_text("utf-8"), page


def test_a_rebuilt_table_clears_stale_masked_cells(
    hostile_audit: tuple[Path, tuple[str, str, str]],
) -> None:
    audit, (answer_key, _, _) = hostile_audit
    mask_personal_data(audit, names=[])
    with duckdb.connect(str(audit)) as con:
        # What a dbt rebuild does: the table comes back from landing without the mask.
        con.execute(
            "update marts.fct_answers set value_text = 'ふつうの回答' where answer_key = ?",
            [answer_key],
        )
        assert masked_cells(con) == []


def test_identifier_columns_are_never_masked() -> None:
    for column in ["answer_key", "participant_key", "wave_code", "project_id", "raw_sha256"]:
        assert is_identifier_column(column), column
    for column in ["value_text", "report_label_ja", "wording_ja", "keyboard", "codename"]:
        assert not is_identifier_column(column), column


def test_a_label_in_a_reporting_table_is_masked_too(
    demo_warehouse_path: Path, tmp_path: Path
) -> None:
    audit = Path(shutil.copy(demo_warehouse_path, tmp_path / "audit.duckdb"))
    with duckdb.connect(str(audit)) as con:
        (key,) = con.execute(
            "select short_term_outcome_key from reporting.rpt_short_term_outcomes order by 1 "
            "limit 1"
        ).fetchone()
        con.execute(
            "update reporting.rpt_short_term_outcomes set report_label_ja = 'someone@example.jp' "
            "where short_term_outcome_key = ?",
            [key],
        )
    (cell,) = mask_personal_data(audit, names=[])
    assert (cell.table, cell.column, cell.row_key) == (
        "reporting.rpt_short_term_outcomes",
        "report_label_ja",
        key,
    )
    with duckdb.connect(str(audit), read_only=True) as con:
        (label,) = con.execute(
            "select report_label_ja from reporting.rpt_short_term_outcomes "
            "where short_term_outcome_key = ?",
            [key],
        ).fetchone()
    assert label == MASK


def test_the_roster_is_compiled_once_for_every_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """flagged_values compiles the roster names once, not once per distinct value (a list
    handed to the detector is compiled on every call: 1.2 s of a 4 s gate on demo data)."""
    compiled: list[int] = []

    class CountingRoster(privacy_masking.RosterNames):
        def __init__(self, names: Iterable[str] = ()) -> None:
            compiled.append(1)
            super().__init__(names)

    monkeypatch.setattr(privacy_masking, "RosterNames", CountingRoster)
    monkeypatch.setattr(detector, "RosterNames", CountingRoster)
    con = duckdb.connect()
    con.execute("create table notes (note varchar)")
    con.executemany(
        "insert into notes values (?)",
        [[f"メモ {number}"] for number in range(50)] + [["原田真由美さんより"]],
    )
    column = privacy_masking.TextColumn("main", "notes", "note")

    flagged = privacy_masking.flagged_values(con, [column], names=["原田 真由美", "佐藤 花子"])

    assert [value.value for value in flagged] == ["原田真由美さんより"]
    assert compiled == [1]


def test_a_link_is_a_contact_in_answers_but_not_in_the_catalog() -> None:
    """A link in an answer reaches someone (a profile, a blog); in the catalog, written by
    staff to be published, it is a report's source or the organisation's site."""
    con = duckdb.connect()
    for schema in ("catalog", "marts"):
        con.execute(f"create schema {schema}")
        con.execute(f"create table {schema}.notes (note varchar)")
        con.execute(
            f"insert into {schema}.notes values ('出典: https://www.example.org/report2025')"
        )
    columns = privacy_masking.text_columns(con)

    flagged = privacy_masking.flagged_values(con, columns)

    assert [(value.column.schema, value.kinds) for value in flagged] == [("marts", ("link",))]


def test_every_column_is_read_when_its_values_come_in_several_statements(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """flagged_values reads many columns in each statement: a value is flagged in the column
    and table it is in, whichever statement read it, and a column of a later statement too."""
    monkeypatch.setattr(privacy_masking, "_COLUMNS_PER_STATEMENT", 2)
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create table marts.first (a varchar, b varchar, c integer)")
    con.execute("insert into marts.first values ('メモ', '連絡先 090-1234-5678', 3)")
    con.execute("create table marts.second (d varchar, e varchar)")
    con.execute("insert into marts.second values ('mail: someone@example.com', null)")
    columns = privacy_masking.text_columns(con)

    flagged = privacy_masking.flagged_values(con, columns)

    assert [column.column for column in columns] == ["a", "b", "d", "e"]
    assert [(value.column.table, value.column.column, value.kinds) for value in flagged] == [
        ("first", "b", ("phone",)),
        ("second", "d", ("email",)),
    ]
