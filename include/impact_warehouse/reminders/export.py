"""Write a reminder list into the restricted vault, and record the export in its audit log.

The list holds names and emails, so it lives only under ``Settings.reminders`` (inside the vault:
folders 0700, files 0600, like the contacts database), never beside anything analysts,
report readers or staff pages read. Every export appends one line to ``audit.jsonl`` (who,
when, wave, cohort, count, file, sha256); a file whose line could not be written is removed,
so no list exists without its record.
"""

from __future__ import annotations

import csv
import fcntl
import getpass
import hashlib
import io
import json
import os
import re
import sqlite3
import stat
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from impact_warehouse.catalog.model import Wave
from impact_warehouse.reminders.targets import (
    NO_VALID_ANSWER,
    NOT_ANSWERED,
    NonRespondent,
    RemindersError,
)
from impact_warehouse.settings import Settings

AUDIT_LOG = "audit.jsonl"
# The mail-merge columns, in order (README, "Reminder lists"). Japanese, because they are the
# merge field names staff see in Word or a mail-merge add-on.
COLUMNS = ("氏名", "メールアドレス", "コホート", "状況", "調査", "回答締切")
# A wave code becomes a folder name: catalog codes are letters, digits, "_", "-" and ".".
_SAFE_FOLDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
# Excel runs a cell starting with these as a formula (CSV injection): such a value gets a
# leading apostrophe, which Excel shows as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class ReminderExport:
    """What an export wrote: the file, its row count and digest, and who was left out."""

    path: Path
    audit_log: Path
    count: int
    sha256: str
    not_answered: int
    no_valid_answer: int
    without_email: int  # non-respondents the vault has no email for (not in the file)
    without_name: int  # in the file with an empty 氏名


def reminder_folder(settings: Settings, wave_code: str) -> Path:
    """``Settings.reminders / wave_code``, created 0700, or RemindersError when that path would
    leave the vault (a wave code with path characters, a symlink) or land in a shared folder."""
    if not _SAFE_FOLDER.fullmatch(wave_code) or wave_code in (".", ".."):
        raise RemindersError(
            f"調査コード {wave_code!r} はフォルダ名に使えない文字を含むため、"
            "書き出しを止めました。",
            "wave codes used as folder names: letters, digits, '_', '-', '.'",
        )
    vault = settings.vault.resolve()
    shared = [settings.staff_pages, settings.landing, settings.inbox]
    for folder in shared:
        if vault == folder.resolve() or folder.resolve() in vault.parents:
            _refuse_shared_vault(vault, folder)
    # Inside the work folder only its own vault/ is private: every other folder there
    # (published, releases, reports, drafts, outbox, quality, logs, dbt, airflow, …) is read by
    # analysts, report readers, staff pages or the services.
    work = settings.work.resolve()
    if vault == work or (work in vault.parents and vault.relative_to(work).parts[0] != "vault"):
        _refuse_shared_vault(vault, work)
    folder = settings.reminders / wave_code
    try:
        # The vault itself may be a link to an encrypted disk; the folders below it may not.
        settings.vault.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(settings.vault, 0o700)
    except OSError as error:
        raise RemindersError("個人情報の保管場所(vault)を作れませんでした。", str(error)) from error
    for level in (settings.reminders, folder):
        _private_folder(level)
    if folder.resolve() != vault / settings.reminders.relative_to(settings.vault) / wave_code:
        raise RemindersError(
            "督促リストの書き出し先が保管場所(vault)の外を指しているため、止めました。",
            f"{folder} resolves to {folder.resolve()}, outside {vault}",
        )
    return folder


def _refuse_shared_vault(vault: Path, folder: Path) -> None:
    raise RemindersError(
        "個人情報の保管場所(vault)が、分析者や報告書の読者が開けるフォルダの中にあります。"
        "IMPACT_VAULT_DIR を見直してください。",
        f"vault {vault} is inside {folder}",
    )


def _private_folder(path: Path) -> None:
    """Create ``path`` as a real folder readable by its owner only; refuse a symlink."""
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        mode = path.lstat().st_mode
    except OSError as error:
        raise RemindersError("督促リストのフォルダを作れませんでした。", str(error)) from error
    if stat.S_ISLNK(mode) or not stat.S_ISDIR(mode):
        raise RemindersError(
            "督促リストの書き出し先がフォルダではなくリンクなどになっているため、止めました。"
            "保管場所(vault)の外に個人情報を書き出さないためです。",
            f"{path} is not a real directory",
        )
    os.chmod(path, 0o700)


@dataclass(frozen=True)
class Contact:
    name: str | None
    email: str | None


class VaultReader:
    """Read-only access to the contacts database (``landing/privacy.py`` writes it)."""

    def __init__(self, vault: Path) -> None:
        path = vault / "contacts.sqlite"
        if not path.is_file():
            raise RemindersError(
                "個人情報の保管場所(vault)に連絡先がありません。保管場所の設定"
                "(IMPACT_VAULT_DIR)を確認してください。",
                f"no contacts database at {path}",
            )
        self._connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def contact(self, person: NonRespondent) -> Contact:
        return Contact(
            name=self._name(person.name_pseudonym) if person.name_pseudonym else None,
            email=self._value(person.participant_pseudonym, "email"),
        )

    def _value(self, pseudonym: str, kind: str) -> str | None:
        row = self._connection.execute(
            "select contact from contacts where pseudonym = ? and kind = ?", (pseudonym, kind)
        ).fetchone()
        return row[0] if row and row[0] else None

    def _name(self, pseudonym: str) -> str | None:
        # The spelling as written ("原田 真由美") reads better in a letter than the stored,
        # space-less contact; with several spellings the first in sort order, for stable files.
        row = self._connection.execute(
            "select min(written) from name_spellings where pseudonym = ?", (pseudonym,)
        ).fetchone()
        return row[0] if row and row[0] else self._value(pseudonym, "name")

    def close(self) -> None:
        self._connection.close()


def _cell(value: str) -> str:
    value = _CONTROL.sub(" ", value).strip()
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_bytes(rows: Iterable[Sequence[str]]) -> bytes:
    """UTF-8 with a BOM (Excel opens it as UTF-8, not CP932), CRLF line ends, header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def who_exports(by: str | None) -> str:
    """``--by`` if given, else the OS user: the audit log's "who"."""
    if by is not None:
        cleaned = by.strip()
        if not cleaned or len(cleaned) > 100 or _CONTROL.search(cleaned):
            raise RemindersError(
                "--by には担当者名を1〜100文字で指定してください(改行などは使えません)。",
                f"invalid --by {by!r}",
            )
        return cleaned
    return os_user()


def os_user() -> str:
    """The account running the command (the login name, else the numeric uid)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in a bare container
        return f"uid:{os.getuid()}"


def _write_new_file(folder: Path, stem: str, data: bytes) -> Path:
    """Write ``data`` to ``folder/<stem>.csv`` (0600), never replacing a file: two exports
    in the same microsecond get ``-2``, ``-3`` … A reader never sees a half-written file."""
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        for attempt in range(1, 100):
            path = folder / (f"{stem}.csv" if attempt == 1 else f"{stem}-{attempt}.csv")
            try:
                os.link(temporary, path)
            except FileExistsError:
                continue
            directory = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(directory)  # the new name survives a crash, as the audit line will
            finally:
                os.close(directory)
            return path
        raise RemindersError("督促リストのファイル名が決まりませんでした。", f"{folder}/{stem}*")
    finally:
        os.unlink(temporary)


def append_audit_line(reminders: Path, entry: dict[str, object]) -> Path:
    """Append one JSON line under an exclusive lock, so concurrent exports never interleave."""
    path = reminders / AUDIT_LOG
    line = (json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW
    descriptor = os.open(path, flags, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        os.write(descriptor, line)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)  # closing releases the lock
    return path


def export_reminders(
    settings: Settings,
    wave: Wave,
    people: Sequence[NonRespondent],
    *,
    cohort_code: str | None,
    as_of: date,
    by: str | None = None,
    now: datetime | None = None,
    today: date | None = None,
) -> ReminderExport:
    """Look the people up in the vault, write the CSV and its audit line."""
    who = who_exports(by)
    folder = reminder_folder(settings, wave.wave_code)
    rows, without_email, without_name = _contact_rows(settings, wave, people)
    data = csv_bytes(rows)
    digest = hashlib.sha256(data).hexdigest()
    moment = now or datetime.now(UTC)
    try:
        path = _write_new_file(folder, moment.strftime("%Y%m%dT%H%M%S%fZ"), data)
    except OSError as error:  # a full disk, a file system without hard links
        raise RemindersError("督促リストのファイルを書けませんでした。", str(error)) from error
    entry = {
        "who": who,
        # --by is what the person typed; the account that ran the command is recorded too,
        # so the log does not rest on a name anyone can type.
        "os_user": os_user(),
        "when": moment.isoformat(),
        "wave": wave.wave_code,
        "cohort": cohort_code,
        "as_of": as_of.isoformat(),
        "today": (today or moment.date()).isoformat(),
        "count": len(rows),
        "without_email": without_email,
        "file": str(path.relative_to(settings.reminders)),
        "sha256": digest,
    }
    audit_log = _audit_or_remove(settings, path, entry)
    statuses = [row[3] for row in rows]
    return ReminderExport(
        path=path,
        audit_log=audit_log,
        count=len(rows),
        sha256=digest,
        not_answered=statuses.count(NOT_ANSWERED),
        no_valid_answer=statuses.count(NO_VALID_ANSWER),
        without_email=without_email,
        without_name=without_name,
    )


def _contact_rows(
    settings: Settings, wave: Wave, people: Sequence[NonRespondent]
) -> tuple[list[tuple[str, ...]], int, int]:
    """The CSV rows of the people the vault has an address for; how many have no address,
    and how many no name."""
    vault = VaultReader(settings.vault)
    rows: list[tuple[str, ...]] = []
    without_email = without_name = 0
    try:
        for person in people:
            contact = vault.contact(person)
            if contact.email is None:
                # A list for mail merge cannot use a row without an address; counted instead.
                without_email += 1
                continue
            without_name += contact.name is None
            rows.append(
                (
                    contact.name or "",
                    contact.email,
                    person.cohort_code,
                    person.status,
                    wave.wave_code,
                    wave.close_date.isoformat(),
                )
            )
    finally:
        vault.close()
    if people and not rows:
        raise RemindersError(
            f"督促する {len(people)} 人の連絡先が保管場所(vault)に1件もありません。"
            "仮名化キーの変更や保管場所の復元を確認してください。",
            "no vault contact for any non-respondent pseudonym",
        )
    return rows, without_email, without_name


def _audit_or_remove(settings: Settings, path: Path, entry: dict[str, object]) -> Path:
    """Append the export's audit line; without it, the list is deleted."""
    try:
        return append_audit_line(settings.reminders, entry)
    except OSError as error:
        path.unlink(missing_ok=True)  # no list without its audit record
        raise RemindersError(
            "書き出しの記録(audit.jsonl)を書けなかったため、督促リストを削除しました。",
            str(error),
        ) from error
