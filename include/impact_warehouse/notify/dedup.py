"""No spam: an open condition is sent once, then again only when it changes or is long open.

A condition is identified by its fingerprint (kind, program, cohort, wave, check). It is
re-sent when its observed value changes or when ``IMPACT_ALERT_RESEND_HOURS`` (default 168,
one week) have passed since it was last sent. A condition that cleared (see
:meth:`AlertLedger.resolve`) and comes back is news again.

Only gate conditions are deduplicated: a failed task and a new release are events, each
worth one message.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import closing, contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from impact_warehouse.notify.messages import Alert

DEDUPLICATED_KINDS = frozenset({"gate_failure", "gate_warning"})
DEFAULT_RESEND_HOURS = 168.0

_SCHEMA = """
create table if not exists sent_alerts (
    fingerprint text primary key,
    kind text not null,
    program_code text,
    cohort_code text,
    wave_code text,
    check_name text,
    observed text,
    sent_at text not null
)
"""


def resend_period_from_env(environ: Mapping[str, str] | None = None) -> timedelta:
    environ = os.environ if environ is None else environ
    text = environ.get("IMPACT_ALERT_RESEND_HOURS", "").strip()
    try:
        hours = float(text) if text else DEFAULT_RESEND_HOURS
    except ValueError:
        raise ValueError(
            f"IMPACT_ALERT_RESEND_HOURS={text!r} is not a number of hours (default 168)"
        ) from None
    return timedelta(hours=hours)


def _observed_key(observed: object) -> str:
    # Rounded so float noise between two builds of the same data is not a "change".
    if isinstance(observed, float):
        observed = round(observed, 6)
    return json.dumps(observed, default=str)


class AlertLedger:
    """SQLite record of the last time each open condition was sent, and with which value."""

    def __init__(self, path: Path, resend_after: timedelta | None = None) -> None:
        self.path = path  # the installation's Settings.outbox / "alert_ledger.sqlite"
        self.resend_after = resend_after if resend_after is not None else resend_period_from_env()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as connection:
            connection.execute(_SCHEMA)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30)) as connection, connection:
            yield connection

    def should_send(self, alert: Alert, now: datetime) -> bool:
        if alert.kind not in DEDUPLICATED_KINDS:
            return True
        with self._connection() as connection:
            row = connection.execute(
                "select observed, sent_at from sent_alerts where fingerprint = ?",
                (alert.fingerprint,),
            ).fetchone()
        if row is None:
            return True
        observed, sent_at = row
        if observed != _observed_key(alert.observed):
            return True
        return now - datetime.fromisoformat(sent_at) >= self.resend_after

    def record_sent(self, alert: Alert, now: datetime) -> None:
        if alert.kind not in DEDUPLICATED_KINDS:
            return
        with self._connection() as connection:
            connection.execute(
                "insert or replace into sent_alerts values (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    alert.fingerprint,
                    alert.kind,
                    alert.program_code,
                    alert.cohort_code,
                    alert.wave_code,
                    alert.check_name,
                    _observed_key(alert.observed),
                    now.isoformat(),
                ),
            )

    def resolve(self, open_fingerprints: Iterable[str]) -> list[str]:
        """Forget every condition not in ``open_fingerprints``; returns the cleared ones.

        Call it with the fingerprints of *all* conditions a complete gate run found, so a
        condition that cleared and later reappears is sent again.
        """
        still_open = set(open_fingerprints)
        with self._connection() as connection:
            known = [row[0] for row in connection.execute("select fingerprint from sent_alerts")]
            cleared = [fingerprint for fingerprint in known if fingerprint not in still_open]
            connection.executemany(
                "delete from sent_alerts where fingerprint = ?", [(f,) for f in cleared]
            )
        return cleared
