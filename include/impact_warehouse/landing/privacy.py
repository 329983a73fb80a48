"""Keyed pseudonyms for personal data, and the restricted vault that maps them back.

ARCHITECTURE.md: email, name and phone are replaced by HMAC-SHA256 of the normalised value
(key from a secret) before anything leaves the extract step; the pseudonym → contact mapping
goes to a separate restricted vault used only for staff follow-up.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import sqlite3
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

PSEUDONYM_KEY_ENV = "IMPACT_PSEUDONYM_KEY"
PSEUDONYM_KEY_FILE_ENV = "IMPACT_PSEUDONYM_KEY_FILE"

# Loose on purpose: free text is scrubbed, and a false positive only hides a few characters.
EMAIL_PATTERN = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
PHONE_PATTERN = re.compile(r"(?<!\d)(?:\+81[-\s]?|0)\d{1,4}[-\s]?\d{1,4}[-\s]?\d{3,4}(?!\d)")


class MissingPseudonymKey(RuntimeError):
    """No key configured: pseudonyms would not be stable or secret without one."""


def normalise_email(value: str) -> str:
    """Emails are matched across years case- and whitespace-insensitively (ARCHITECTURE.md).

    Invisible format characters (Unicode category Cf: zero-width space, RLM, BOM) are removed
    first: pasted from a chat or PDF they would otherwise make the same person a new one.
    """
    visible = "".join(c for c in value if unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFKC", visible).strip().lower()


def normalise_name(value: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))


def normalise_phone(value: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", value))


NORMALISERS: dict[str, Callable[[str], str]] = {
    "email": normalise_email,
    "name": normalise_name,
    "phone": normalise_phone,
    "panel_id": lambda value: unicodedata.normalize("NFKC", value).strip(),
}


def load_pseudonym_key(key_file: Path) -> bytes:
    """The key from ``IMPACT_PSEUDONYM_KEY``, else from the key file; never from the repository."""
    value = os.environ.get(PSEUDONYM_KEY_ENV)
    if value:
        return value.encode("utf-8")
    key_path = Path(os.environ.get(PSEUDONYM_KEY_FILE_ENV) or key_file)
    if key_path.exists():
        return key_path.read_text(encoding="utf-8").strip().encode("utf-8")
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
    """Restricted store of pseudonym → contact, for staff follow-up only (never analysts)."""

    def __init__(self, vault_dir: Path) -> None:
        vault_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(vault_dir, 0o700)
        self.path = vault_dir / "contacts.sqlite"
        self._connection = sqlite3.connect(self.path)
        os.chmod(self.path, 0o600)
        self._connection.execute(
            "create table if not exists contacts ("
            " pseudonym text primary key, kind text not null, contact text not null,"
            " first_seen_at text not null, last_seen_at text not null, first_source text)"
        )
        self._pending: dict[str, tuple[str, str, str]] = {}

    def remember(self, pseudonym: str, kind: str, contact: str, source: str) -> None:
        self._pending.setdefault(pseudonym, (kind, contact, source))

    def flush(self) -> None:
        """Write remembered contacts; called before landing files are committed."""
        if not self._pending:
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
        self._pending.clear()

    def lookup(self, pseudonym: str) -> tuple[str, str] | None:
        row = self._connection.execute(
            "select kind, contact from contacts where pseudonym = ?", (pseudonym,)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def close(self) -> None:
        self.flush()
        self._connection.close()


class Pseudonymiser:
    """Replaces personal data by stable keyed pseudonyms and records them in the vault."""

    def __init__(self, key: bytes, vault: ContactVault | None = None) -> None:
        self._key = key
        self._vault = vault

    def pseudonym(self, kind: str, value: str, *, source: str = "") -> str:
        normalised = NORMALISERS[kind](value)
        # The kind is part of the message so equal strings of different kinds never collide.
        digest = hmac.new(self._key, f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()
        pseudonym = f"{kind}_{digest[:32]}"
        if self._vault is not None:
            self._vault.remember(pseudonym, kind, normalised, source)
        return pseudonym

    def scrub_free_text(self, text: str, *, source: str = "") -> tuple[str, int]:
        """Replace email addresses and phone numbers inside free text. Returns (text, count)."""
        replacements = 0

        def replace(kind: str) -> Callable[[re.Match[str]], str]:
            def _replace(match: re.Match[str]) -> str:
                nonlocal replacements
                replacements += 1
                return f"[{self.pseudonym(kind, match.group(0), source=source)}]"

            return _replace

        scrubbed = EMAIL_PATTERN.sub(replace("email"), unicodedata.normalize("NFKC", text))
        scrubbed = PHONE_PATTERN.sub(replace("phone"), scrubbed)
        if replacements == 0:
            return text, 0
        return scrubbed, replacements
