"""``impact reminders`` on a small hand-made warehouse: who is listed, and the vault rules.

The warehouse here holds only the tables the command reads (the dbt rules themselves are
checked against a real demo build in test_reminders_demo.py), so each adversarial case is
one row: a quarantined answer, a duplicate roster row, a missing vault entry, a name that
Excel would run as a formula.
"""

from __future__ import annotations

import csv
import getpass
import hashlib
import io
import json
import sqlite3
import stat
import subprocess
import sys
import threading
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from impact_warehouse.catalog import load_catalog
from impact_warehouse.cli import main
from impact_warehouse.landing.privacy import ContactVault, Pseudonymiser
from impact_warehouse.landing.roster_index import roster_dir
from impact_warehouse.landing.store import PartitionStore
from impact_warehouse.reminders import (
    COLUMNS,
    NO_VALID_ANSWER,
    NOT_ANSWERED,
    RemindersError,
    create_reminder_list,
)
from impact_warehouse.reminders.export import export_reminders, reminder_folder
from impact_warehouse.reminders.targets import non_respondents
from impact_warehouse.settings import Settings

WAVE = "followup_2025"  # catalog: 2026-01-16 → 2026-01-31, four target cohorts
AS_OF = date(2026, 1, 20)
KEY = b"reminder-tests-key-of-32-bytes-or-more"


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    cohort: str
    response: bool | None  # None: no submission; False: only quarantined answers


PEOPLE = (
    Person("青木 一郎", "ichiro@example.jp", "mamabono_2024", None),
    Person("井上 二葉", "futaba@example.jp", "mamabono_2024", True),
    Person("上田 三奈", "mina@example.jp", "npo_mentoring_2024", False),
    Person("新姓 花子", "hanako@example.jp", "mamabono_2023", None),
    Person('=HYPERLINK("http://evil.example/")', "formula@example.jp", "mamabono_2023", None),
)
NOT_IN_VAULT = Person("江藤 五郎", "goro@example.jp", "mamabono_2024", None)


@dataclass
class World:
    settings: Settings
    audit_db: Path


def _build(tmp_path: Path) -> World:
    settings = Settings.for_work_dir(tmp_path / "work", tmp_path / "inbox")
    vault = ContactVault(settings.vault)
    pseudonyms = Pseudonymiser(KEY, vault)
    outside_vault = Pseudonymiser(KEY)  # a contact the vault lost (restored from a backup)
    roster: list[tuple[str, str, str, str, str]] = []
    targets: list[tuple[str, str, str]] = []
    responses: list[tuple[str, str, bool]] = []
    for number, person in enumerate([*PEOPLE, NOT_IN_VAULT]):
        maker = outside_vault if person is NOT_IN_VAULT else pseudonyms
        email = maker.pseudonym("email", person.email)
        name = maker.pseudonym("name", person.name)
        roster.append((f"r{number}", email, name, person.cohort, "2025-06-01 00:00:00"))
        targets.append((WAVE, email, person.cohort))
        if person.response is not None:
            responses.append((WAVE, email, person.response))
        # The same person's answer to another wave never counts for this one.
        responses.append(("followup_2024", email, True))
    # A duplicate roster row: the same person re-entered later under a new family name.
    hanako = pseudonyms.pseudonym("email", "hanako@example.jp")
    old_name = pseudonyms.pseudonym("name", "旧姓 花子")
    roster.append(("r-old", hanako, old_name, "mamabono_2023", "2024-06-01 00:00:00"))
    vault.close()

    audit_db = tmp_path / "audit.duckdb"
    with duckdb.connect(str(audit_db)) as con:
        con.execute("create schema staging")
        con.execute("create schema intermediate")
        con.execute(
            "create table staging.stg_operations__roster (record_key varchar,"
            " participant_pseudonym varchar, name_pseudonym varchar, cohort_code varchar,"
            " landed_at timestamp)"
        )
        con.executemany("insert into staging.stg_operations__roster values (?,?,?,?,?)", roster)
        con.execute(
            "create table staging.stg_google_forms__responses (record_key varchar, form_id varchar)"
        )
        con.execute(
            "create table intermediate.int_wave_targets (wave_code varchar,"
            " participant_key varchar, cohort_code varchar)"
        )
        con.executemany("insert into intermediate.int_wave_targets values (?,?,?)", targets)
        con.execute(
            "create table intermediate.int_responses__latest (wave_code varchar,"
            " participant_key varchar, is_response boolean)"
        )
        con.executemany("insert into intermediate.int_responses__latest values (?,?,?)", responses)
    return World(settings, audit_db)


@pytest.fixture
def world(tmp_path: Path) -> World:
    return _build(tmp_path)


def _rows(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith("\ufeff".encode()), "Excel needs the BOM to read UTF-8"
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _audit_lines(settings: Settings) -> list[dict[str, object]]:
    log = settings.reminders / "audit.jsonl"
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_lists_the_non_respondents_with_their_vault_contacts(world: World) -> None:
    export = create_reminder_list(
        world.settings, wave_code=WAVE, as_of=AS_OF, audit_db=world.audit_db, by="佐藤"
    )
    rows = _rows(export.path)
    assert tuple(rows[0]) == COLUMNS
    by_email = {row["メールアドレス"]: row for row in rows}
    assert len(rows) == len(by_email) == 4  # one row per person, duplicates merged
    assert set(by_email) == {
        "ichiro@example.jp",
        "mina@example.jp",
        "hanako@example.jp",
        "formula@example.jp",
    }
    assert by_email["ichiro@example.jp"]["状況"] == NOT_ANSWERED
    assert by_email["ichiro@example.jp"]["氏名"] == "青木 一郎"  # as written, with the space
    assert by_email["mina@example.jp"]["状況"] == NO_VALID_ANSWER  # answers quarantined
    assert by_email["hanako@example.jp"]["氏名"] == "新姓 花子"  # the latest roster row
    assert by_email["formula@example.jp"]["氏名"].startswith("'=")  # text, not a formula
    assert {row["調査"] for row in rows} == {WAVE}
    assert {row["回答締切"] for row in rows} == {"2026-01-31"}
    assert (export.count, export.not_answered, export.no_valid_answer) == (4, 3, 1)
    assert export.without_email == 1  # goro: no vault entry, left out and counted

    assert export.path.parent == world.settings.reminders / WAVE
    assert _mode(export.path) == 0o600
    for folder in (world.settings.vault, world.settings.reminders, export.path.parent):
        assert _mode(folder) == 0o700
    assert _mode(export.audit_log) == 0o600
    [line] = _audit_lines(world.settings)
    assert line["who"] == "佐藤"
    assert (line["wave"], line["cohort"], line["count"]) == (WAVE, None, 4)
    assert line["file"] == str(export.path.relative_to(world.settings.reminders))
    assert line["sha256"] == hashlib.sha256(export.path.read_bytes()).hexdigest()
    assert datetime.fromisoformat(str(line["when"])).utcoffset().total_seconds() == 0


def test_cohort_narrows_the_list(world: World) -> None:
    export = create_reminder_list(
        world.settings,
        wave_code=WAVE,
        cohort_code="mamabono_2023",
        as_of=AS_OF,
        audit_db=world.audit_db,
    )
    emails = {row["メールアドレス"] for row in _rows(export.path)}
    assert emails == {"hanako@example.jp", "formula@example.jp"}
    assert _audit_lines(world.settings)[0]["cohort"] == "mamabono_2023"


def test_duplicate_roster_rows_never_duplicate_a_person(world: World) -> None:
    with duckdb.connect(str(world.audit_db), read_only=True) as con:
        people = non_respondents(con, WAVE, None)
    keys = [person.participant_pseudonym for person in people]
    assert len(keys) == len(set(keys)) == 5  # incl. the one without a vault entry


@pytest.mark.parametrize(
    ("wave", "as_of", "cohort", "expected"),
    [
        (WAVE, date(2026, 2, 1), None, "締め切られています"),
        (WAVE, date(2026, 1, 15), None, "まだ始まっていません"),
        ("no_such_wave", AS_OF, None, "カタログ(waves.csv)にありません"),
        ("comparison_2025", date(2026, 1, 17), None, "督促リストは作れません"),
        (WAVE, AS_OF, "mamabono_2026", "対象ではありません"),
        ("../../published", AS_OF, None, "カタログ(waves.csv)にありません"),
    ],
)
def test_refuses_a_wave_it_cannot_remind_for(
    world: World, wave: str, as_of: date, cohort: str | None, expected: str
) -> None:
    with pytest.raises(RemindersError) as raised:
        create_reminder_list(
            world.settings,
            wave_code=wave,
            cohort_code=cohort,
            as_of=as_of,
            audit_db=world.audit_db,
        )
    assert expected in raised.value.message_ja
    assert not world.settings.reminders.exists()


def test_refuses_a_build_that_misses_the_latest_pull(world: World) -> None:
    """A roster row landed after the build: someone new may have to be (not) reminded."""
    PartitionStore(roster_dir(world.settings.landing)).append(
        [{"record_key": "landed-after-the-build", "cohort_code": "mamabono_2024"}],
        batch_id="b1",
        part_label="roster",
    )
    with pytest.raises(RemindersError) as raised:
        create_reminder_list(world.settings, wave_code=WAVE, as_of=AS_OF, audit_db=world.audit_db)
    assert "impact build" in raised.value.message_ja
    assert "名簿 1 件" in raised.value.message_ja
    assert not world.settings.reminders.exists()


def test_refuses_to_write_outside_the_vault(world: World, tmp_path: Path) -> None:
    shared = tmp_path / "work" / "published"
    shared.mkdir(parents=True)
    world.settings.vault.mkdir(parents=True, exist_ok=True)
    world.settings.reminders.symlink_to(shared, target_is_directory=True)
    with pytest.raises(RemindersError) as raised:
        create_reminder_list(world.settings, wave_code=WAVE, as_of=AS_OF, audit_db=world.audit_db)
    assert "vault" in raised.value.message_ja
    assert list(shared.iterdir()) == []

    for code in ("../escape", "a/b", "..", "", "wave\nx"):
        with pytest.raises(RemindersError):
            reminder_folder(world.settings, code)
    assert not (world.settings.vault / "escape").exists()

    inside = Settings.for_work_dir(tmp_path / "w2", tmp_path / "inbox")
    inside = Settings(
        work=inside.work,
        landing=inside.landing,
        vault=inside.work / "reports" / "vault",  # IMPACT_VAULT_DIR set to a shared folder
        inbox=inside.inbox,
        demo_sources=inside.demo_sources,
        secrets=inside.secrets,
    )
    with pytest.raises(RemindersError, match="vault"):
        reminder_folder(inside, WAVE)
    assert not (inside.work / "reports").exists()


def test_missing_vault_entries_for_everyone_is_an_error(world: World) -> None:
    contacts = world.settings.vault / "contacts.sqlite"
    with closing(sqlite3.connect(contacts)) as con, con:  # a vault restored empty
        con.execute("delete from contacts")
    with pytest.raises(RemindersError, match="連絡先が保管場所"):
        create_reminder_list(world.settings, wave_code=WAVE, as_of=AS_OF, audit_db=world.audit_db)
    assert not list((world.settings.reminders / WAVE).glob("*.csv"))


def test_concurrent_exports_keep_every_file_and_audit_line(world: World) -> None:
    wave = load_catalog().waves[WAVE]
    with duckdb.connect(str(world.audit_db), read_only=True) as con:
        people = non_respondents(con, WAVE, None)
    same_moment = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)  # force equal file names
    errors: list[BaseException] = []

    def export(number: int) -> None:
        try:
            export_reminders(
                world.settings,
                wave,
                people,
                cohort_code=None,
                as_of=AS_OF,
                by=f"staff{number}",
                now=same_moment,
            )
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=export, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    files = sorted((world.settings.reminders / WAVE).iterdir())
    assert len(files) == 8 and all(path.suffix == ".csv" for path in files)  # no temporaries
    lines = _audit_lines(world.settings)
    assert sorted(str(line["who"]) for line in lines) == [f"staff{n}" for n in range(8)]
    digests = {line["file"]: line["sha256"] for line in lines}
    for path in files:
        key = str(path.relative_to(world.settings.reminders))
        assert digests[key] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_no_list_survives_without_its_audit_line(world: World) -> None:
    (world.settings.reminders / "audit.jsonl").mkdir(parents=True)  # cannot be appended to
    with pytest.raises(RemindersError, match=r"audit\.jsonl"):
        create_reminder_list(world.settings, wave_code=WAVE, as_of=AS_OF, audit_db=world.audit_db)
    assert list((world.settings.reminders / WAVE).iterdir()) == []


def test_a_warehouse_being_built_is_a_clear_error(world: World) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]);"
            " print('held', flush=True); sys.stdin.read()",
            str(world.audit_db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(RemindersError, match="更新中"):
            create_reminder_list(
                world.settings, wave_code=WAVE, as_of=AS_OF, audit_db=world.audit_db
            )
    finally:
        holder.communicate("")


def test_command_prints_count_and_path_never_a_name(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("IMPACT_WORK_DIR", str(world.settings.work))
    monkeypatch.delenv("IMPACT_LANDING_DIR", raising=False)
    monkeypatch.delenv("IMPACT_VAULT_DIR", raising=False)
    argv = ["reminders", "--wave", WAVE, "--as-of", AS_OF.isoformat()]
    assert main([*argv, "--audit-db", str(world.audit_db)]) == 0
    out, err = capsys.readouterr()
    [written] = (world.settings.reminders / WAVE).glob("*.csv")
    assert "4 人" in out and str(written) in out and "1 人はリストに入っていません" in out
    for person in (*PEOPLE, NOT_IN_VAULT):
        for part in (*person.name.split(), person.email):
            assert part not in out + err
    assert _audit_lines(world.settings)[0]["who"] == getpass.getuser()  # no --by: the OS user

    assert (
        main(
            [
                "reminders",
                "--wave",
                WAVE,
                "--as-of",
                "2026-03-01",
                "--audit-db",
                str(world.audit_db),
            ]
        )
        == 1
    )
    assert "締め切られています" in capsys.readouterr().err


def test_tightens_folders_and_log_left_readable_by_others(world: World) -> None:
    """A reminders folder or log restored from a backup with loose permissions (0755, 0644)
    is made owner-only again before anything is written into it."""
    folder = world.settings.reminders / WAVE
    folder.mkdir(parents=True)
    for path in (world.settings.vault, world.settings.reminders, folder):
        path.chmod(0o755)
    log = world.settings.reminders / "audit.jsonl"
    log.write_text("", encoding="utf-8")
    log.chmod(0o644)
    export = create_reminder_list(
        world.settings, wave_code=WAVE, as_of=AS_OF, audit_db=world.audit_db
    )
    for path in (world.settings.vault, world.settings.reminders, folder):
        assert _mode(path) == 0o700, path
    assert _mode(log) == _mode(export.path) == 0o600


def test_a_list_for_another_day_records_the_real_day_too(world: World) -> None:
    """--as-of plays a day (the demo); the audit line shows it was not made on that day."""
    create_reminder_list(
        world.settings,
        wave_code=WAVE,
        as_of=AS_OF,
        audit_db=world.audit_db,
        today=AS_OF + timedelta(days=300),
    )
    line = json.loads((world.settings.reminders / "audit.jsonl").read_text().splitlines()[-1])
    assert line["as_of"] == AS_OF.isoformat()
    assert line["today"] == (AS_OF + timedelta(days=300)).isoformat()


@pytest.mark.parametrize("shared", ["drafts", "outbox", "quality", "logs", "."])
def test_a_vault_anywhere_in_the_work_folder_but_vault_is_refused(
    tmp_path: Path, shared: str
) -> None:
    base = Settings.for_work_dir(tmp_path / "work", tmp_path / "inbox")
    settings = replace(base, vault=(base.work / shared / "vault").resolve())
    if shared == ".":
        settings = replace(base, vault=base.work)
    with pytest.raises(RemindersError, match="vault"):
        reminder_folder(settings, WAVE)


def test_the_audit_line_names_the_account_as_well_as_the_typed_name(world: World) -> None:
    create_reminder_list(
        world.settings, wave_code=WAVE, as_of=AS_OF, audit_db=world.audit_db, by="佐藤"
    )
    line = json.loads((world.settings.reminders / "audit.jsonl").read_text().splitlines()[-1])
    assert line["who"] == "佐藤"
    assert line["os_user"] and line["os_user"] != "佐藤"
