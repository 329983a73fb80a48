"""Keyed pseudonyms for personal data, and the restricted vault that maps them back.

ARCHITECTURE.md: email, name and phone are replaced by HMAC-SHA256 of the normalised value
(key from a secret) before anything leaves the extract step; the pseudonym → contact mapping
goes to a separate restricted vault used only for staff follow-up. Free text is scrubbed with
the one personal-data detector (:mod:`impact_warehouse.personal_data`), including the names of
everyone the vault knows.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from impact_warehouse.personal_data import (
    MASK_TOKENS,
    Finding,
    RosterNames,
    find_personal_data,
    redact,
)

PSEUDONYM_KEY_ENV = "IMPACT_PSEUDONYM_KEY"
PSEUDONYM_KEY_FILE_ENV = "IMPACT_PSEUDONYM_KEY_FILE"
# HMAC-SHA256 keys shorter than its 32-byte output can be guessed far more easily than the
# pseudonyms they protect; an empty key makes every pseudonym computable by anyone.
MIN_PSEUDONYM_KEY_BYTES = 32

# Free-text findings that get a pseudonym (staff can follow up through the vault); every other
# kind is replaced by a neutral token such as [氏名] or [住所].
PSEUDONYMISED_FINDINGS = ("email", "phone")

# Values whose pseudonym a Pseudonymiser keeps at hand (about 20 MB at most).
KNOWN_VALUES_LIMIT = 100_000


class MissingPseudonymKey(RuntimeError):
    """No usable key configured: pseudonyms would not be stable or secret without one."""

    message_ja = (
        "仮名化キー(個人情報を仮名に置き換える秘密の鍵)が設定されていません。"
        "管理者に IMPACT_PSEUDONYM_KEY の設定を依頼してください。"
    )


class PseudonymKeyTooShort(MissingPseudonymKey):
    """The configured key is shorter than MIN_PSEUDONYM_KEY_BYTES (an empty file, a typo)."""

    message_ja = (
        f"仮名化キーが短すぎます({MIN_PSEUDONYM_KEY_BYTES}バイト以上が必要です)。"
        "短いキーでは仮名から個人を推測されるおそれがあるため、処理を止めました。"
        "管理者に十分な長さのランダムなキーの設定を依頼してください。"
    )


def normalise_email(value: str) -> str:
    """Emails are matched across years case- and whitespace-insensitively (ARCHITECTURE.md).

    Invisible format characters (Unicode category Cf: zero-width space, RLM, BOM) are removed
    first: pasted from a chat or PDF they would otherwise make the same person a new one.
    """
    if value.isascii():
        # No format characters, and NFKC leaves ASCII as it is: the same result, at once.
        return value.strip().lower()
    visible = "".join(c for c in value if unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFKC", visible).strip().lower()


_SPACES = re.compile(r"\s+")
_NOT_DIGITS = re.compile(r"\D")


def normalise_name(value: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", value))


def normalise_phone(value: str) -> str:
    return _NOT_DIGITS.sub("", unicodedata.normalize("NFKC", value))


NORMALISERS: dict[str, Callable[[str], str]] = {
    "email": normalise_email,
    "name": normalise_name,
    "phone": normalise_phone,
    "panel_id": lambda value: unicodedata.normalize("NFKC", value).strip(),
}


def check_pseudonym_key(key: bytes, origin: str) -> bytes:
    """``key`` if it is long enough to keep pseudonyms secret; ``origin`` names where it came
    from (an environment variable, a file, an Airflow Variable) for the error message."""
    length = len(key.strip())  # surrounding whitespace adds no secrecy
    if length < MIN_PSEUDONYM_KEY_BYTES:
        raise PseudonymKeyTooShort(
            f"The pseudonymisation key from {origin} is {length} bytes; at least "
            f"{MIN_PSEUDONYM_KEY_BYTES} are required (a short key lets anyone compute the "
            "pseudonyms). Generate one with "
            '`python3 -c "import secrets; print(secrets.token_hex(32))"` and keep it in your '
            "secret store; if data was already landed with the short key, see README: rotating "
            "the pseudonymisation key."
        )
    return key


def load_pseudonym_key(key_file: Path) -> bytes:
    """The key from ``IMPACT_PSEUDONYM_KEY``, else from the key file; never from the repository.

    A key shorter than MIN_PSEUDONYM_KEY_BYTES is refused (PseudonymKeyTooShort). An empty
    ``IMPACT_PSEUDONYM_KEY`` counts as unset (compose passes empty values through).
    """
    value = os.environ.get(PSEUDONYM_KEY_ENV)
    if value:
        return check_pseudonym_key(value.encode("utf-8"), PSEUDONYM_KEY_ENV)
    key_path = Path(os.environ.get(PSEUDONYM_KEY_FILE_ENV) or key_file)
    if key_path.exists():
        key = key_path.read_text(encoding="utf-8").strip().encode("utf-8")
        return check_pseudonym_key(key, f"the key file {key_path}")
    raise MissingPseudonymKey(
        f"No pseudonymisation key: set {PSEUDONYM_KEY_ENV} (or the Airflow Variable "
        f"impact_pseudonym_key), or put a key in {key_path}. The demo creates one with "
        "`impact demo`; in production keep it in a secret store and never change it casually "
        "(a new key gives every person a new pseudonym)."
    )


def create_demo_key(key_file: Path) -> bool:
    """Create a random key file for the demo if none exists. Returns True when created."""
    if key_file.exists() or os.environ.get(PSEUDONYM_KEY_ENV):
        return False
    import secrets

    key_file.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(key_file.parent, 0o700)
    key_file.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
    os.chmod(key_file, 0o600)
    return True


class ContactVault:
    """Restricted store of pseudonym → contact, for staff follow-up only (never analysts).

    Names are stored normalised (no spaces) as the pseudonym's contact; the spellings they
    were written with (``原田 真由美``) are kept beside them, because the space tells the
    detector which part is the family name (``原田さん``).
    """

    def __init__(self, vault_dir: Path) -> None:
        vault_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(vault_dir, 0o700)
        self.path = vault_dir / "contacts.sqlite"
        self._connection = sqlite3.connect(self.path)
        os.chmod(self.path, 0o600)
        with self._connection:
            self._connection.execute(
                "create table if not exists contacts ("
                " pseudonym text primary key, kind text not null, contact text not null,"
                " first_seen_at text not null, last_seen_at text not null, first_source text)"
            )
            self._connection.execute(
                "create table if not exists name_spellings ("
                " pseudonym text not null, written text not null,"
                " primary key (pseudonym, written))"
            )
        self._pending: dict[str, tuple[str, str, str]] = {}
        self._pending_spellings: set[tuple[str, str]] = set()

    def remember(
        self, pseudonym: str, kind: str, contact: str, source: str, *, written: str = ""
    ) -> None:
        self._pending.setdefault(pseudonym, (kind, contact, source))
        if kind == "name":
            spelling = _name_spelling(written)
            if spelling and spelling != contact:
                self._pending_spellings.add((pseudonym, spelling))

    def flush(self) -> None:
        """Write remembered contacts; called before landing files are committed."""
        if not self._pending and not self._pending_spellings:
            return
        now = datetime.now(UTC).isoformat()
        with self._connection:
            self._connection.executemany(
                "insert into contacts values (?, ?, ?, ?, ?, ?) "
                "on conflict(pseudonym) do update set last_seen_at = excluded.last_seen_at",
                [
                    (pseudonym, kind, contact, now, now, source)
                    for pseudonym, (kind, contact, source) in self._pending.items()
                ],
            )
            self._connection.executemany(
                "insert or ignore into name_spellings values (?, ?)",
                sorted(self._pending_spellings),
            )
        self._pending.clear()
        self._pending_spellings.clear()

    def lookup(self, pseudonym: str) -> tuple[str, str] | None:
        row = self._connection.execute(
            "select kind, contact from contacts where pseudonym = ?", (pseudonym,)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def roster_names(self) -> RosterNames:
        """Every name the vault knows (roster, and names answered in forms), compiled for
        ``find_personal_data(text, names=...)``: each spelling with a family/given split,
        else the name as stored."""
        self.flush()
        rows = self._connection.execute(
            "select c.contact, s.written from contacts c"
            " left join name_spellings s on s.pseudonym = c.pseudonym"
            " where c.kind = 'name'"
        ).fetchall()
        return RosterNames(written or contact for contact, written in rows)

    def close(self) -> None:
        self.flush()
        self._connection.close()


def _name_spelling(written: str) -> str:
    """A written name with its whitespace collapsed to one space (the family/given split)."""
    return " ".join(unicodedata.normalize("NFKC", written).split())


# Bidirectional formatting characters change the order text is shown in, not what it says:
# after U+202E a stored "8765-4321-090" is shown as 090-1234-5678. The detector reads text in
# stored order, so typed text lands without them: what readers see is what was scanned.
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def without_bidi_controls(text: str) -> tuple[str, int]:
    """``text`` without bidirectional formatting characters, and how many were removed (the
    same object when none were, so callers can tell text that lands as sent)."""
    if text.isascii():
        return text, 0
    cleaned, removed = _BIDI_CONTROLS.subn("", text)
    return (cleaned, removed) if removed else (text, 0)


class Pseudonymiser:
    """Replaces personal data by stable keyed pseudonyms and records them in the vault.

    Accepts any key bytes (unit tests use short ones); keys from configuration are checked
    where they are loaded (``load_pseudonym_key``, ``check_pseudonym_key``).
    """

    def __init__(
        self,
        key: bytes,
        vault: ContactVault | None = None,
        *,
        names: Iterable[str] | None = None,
    ) -> None:
        # The key's HMAC state, set up once and copied per value (setting up costs as much
        # as hashing a short value).
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)
        self._vault = vault
        # (kind, value as sent) -> (pseudonym, normalised): a respondent answers many waves
        # and a wave is pulled in pages, so the same values come back again and again.
        self._known: dict[tuple[str, str], tuple[str, str]] = {}
        # Roster names to scrub from free text: given, or loaded from the vault on first use.
        self._names: RosterNames | None = None if names is None else RosterNames(names)

    @property
    def roster_names(self) -> RosterNames:
        if self._names is None:
            self._names = self._vault.roster_names() if self._vault else RosterNames()
        return self._names

    def pseudonym(self, kind: str, value: str, *, source: str = "") -> str:
        known = self._known.get((kind, value))
        if known is None:
            normalised = NORMALISERS[kind](value)
            # The kind is part of the message so equal strings of different kinds never collide.
            keyed = self._keyed.copy()
            keyed.update(f"{kind}:{normalised}".encode())
            known = (f"{kind}_{keyed.hexdigest()[:32]}", normalised)
            if len(self._known) < KNOWN_VALUES_LIMIT:
                self._known[(kind, value)] = known
        pseudonym, normalised = known
        if self._vault is not None:
            self._vault.remember(pseudonym, kind, normalised, source, written=value)
        if kind == "name" and self._names is not None:
            # A name answered in a form is scrubbed from every later free-text answer too.
            self._names.add(_name_spelling(value))
        return pseudonym

    def scrub_free_text(
        self, text: str, *, source: str = "", names: Iterable[str] = ()
    ) -> tuple[str, int]:
        """Replace personal data inside free text. Returns (text, count of replacements).

        Emails and phone numbers become ``[pseudonym]`` (the vault maps them back for staff);
        names on the roster (and ``names``: e.g. the respondent's own), addresses and postal
        codes become neutral tokens (``[氏名]``, ``[住所]``, ``[郵便番号]``).
        """
        findings = find_personal_data(text, names=self.roster_names)
        # Built only when given (most answers have none); RosterNames refuses one string,
        # which would iterate as its characters.
        extra = RosterNames(names) if names else None
        if extra:
            findings = _merge(findings, find_personal_data(text, names=extra))
        if not findings:
            return text, 0
        return redact(text, findings, lambda finding: self.replacement(finding, source)), len(
            findings
        )

    def replacement(self, finding: Finding, source: str = "") -> str:
        """What a finding becomes in landing: a pseudonym, or a neutral token."""
        if finding.kind in PSEUDONYMISED_FINDINGS:
            return f"[{self.pseudonym(finding.kind, finding.value or finding.text, source=source)}]"
        return MASK_TOKENS[finding.kind]


def _merge(first: list[Finding], second: list[Finding]) -> list[Finding]:
    """Two finding lists as one: in order, the earlier (then longer) of overlapping spans."""
    merged: list[Finding] = []
    for finding in sorted(first + second, key=lambda f: (f.start, f.start - f.end)):
        if not merged or finding.start >= merged[-1].end:
            merged.append(finding)
    return merged
