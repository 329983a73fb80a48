"""The alert queue: an alert is delivered on a channel only when that channel delivered it.

Every alert that is news is written here (rendered, so a retry sends what the run saw) with
one pending delivery per enabled channel, before any channel is tried. A channel that fails
(SMTP down) leaves its deliveries pending; the next run's ``send_alerts`` sends them. A
delivery is claimed before sending so two processes (two failing tasks) never send it twice;
a claim older than ``CLAIM_TIMEOUT`` (a process killed mid-send) is taken over.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from impact_warehouse.notify.messages import RenderedAlert

CLAIM_TIMEOUT = timedelta(minutes=10)
# Delivered alerts are kept this long (what was sent, and when), then removed.
KEEP_DELIVERED = timedelta(days=90)

_SCHEMA = """
create table if not exists queued_alerts (
    alert_id integer primary key autoincrement,
    run_id text,
    queued_at text not null,
    record text not null
);
create table if not exists deliveries (
    alert_id integer not null references queued_alerts (alert_id),
    channel text not null,
    delivered_at text,
    claimed_at text,
    attempts integer not null default 0,
    last_error text,
    primary key (alert_id, channel)
);
"""


@dataclass(frozen=True)
class PendingAlert:
    alert_id: int
    run_id: str | None
    rendered: RenderedAlert


class AlertQueue:
    """SQLite queue beside the alert ledger (``.work/outbox/alert_queue.sqlite``)."""

    def __init__(self, path: Path) -> None:
        self.path = path  # beside the alert ledger, in the installation's Settings.outbox
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as connection:
            connection.executescript(_SCHEMA)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30)) as connection, connection:
            yield connection

    def enqueue(
        self, alerts: Sequence[RenderedAlert], channel_names: Sequence[str], now: datetime
    ) -> list[int]:
        ids = []
        with self._connection() as connection:
            for rendered in alerts:
                cursor = connection.execute(
                    "insert into queued_alerts (run_id, queued_at, record) values (?, ?, ?)",
                    (
                        rendered.alert.run_id,
                        now.isoformat(),
                        json.dumps(rendered.to_record(), ensure_ascii=False, default=str),
                    ),
                )
                alert_id = int(cursor.lastrowid or 0)
                ids.append(alert_id)
                connection.executemany(
                    "insert into deliveries (alert_id, channel) values (?, ?)",
                    [(alert_id, name) for name in channel_names],
                )
        return ids

    def claim(self, channel: str, now: datetime) -> list[PendingAlert]:
        """The channel's undelivered alerts, oldest first, claimed for this process."""
        stale = (now - CLAIM_TIMEOUT).isoformat()
        with self._connection() as connection:
            connection.execute("begin immediate")
            rows = connection.execute(
                "select q.alert_id, q.run_id, q.record from deliveries d "
                "join queued_alerts q using (alert_id) "
                "where d.channel = ? and d.delivered_at is null "
                "and (d.claimed_at is null or d.claimed_at < ?) order by q.alert_id",
                (channel, stale),
            ).fetchall()
            connection.executemany(
                "update deliveries set claimed_at = ? where alert_id = ? and channel = ?",
                [(now.isoformat(), alert_id, channel) for alert_id, _, _ in rows],
            )
        return [
            PendingAlert(alert_id, run_id, RenderedAlert.from_record(json.loads(record)))
            for alert_id, run_id, record in rows
        ]

    def settle(
        self, channel: str, alert_ids: Sequence[int], now: datetime, error: str | None
    ) -> None:
        """Record the outcome of one send: delivered, or released for the next run."""
        with self._connection() as connection:
            if error is None:
                statement = (
                    "update deliveries set delivered_at = ?, claimed_at = null, "
                    "attempts = attempts + 1, last_error = null "
                    "where alert_id = ? and channel = ?"
                )
                rows = [(now.isoformat(), alert_id, channel) for alert_id in alert_ids]
            else:
                statement = (
                    "update deliveries set claimed_at = null, attempts = attempts + 1, "
                    "last_error = ? where alert_id = ? and channel = ?"
                )
                rows = [(error, alert_id, channel) for alert_id in alert_ids]
            connection.executemany(statement, rows)

    def delivered_channels(self, alert_id: int) -> tuple[str, ...]:
        with self._connection() as connection:
            rows = connection.execute(
                "select channel from deliveries where alert_id = ? and delivered_at is not null "
                "order by channel",
                (alert_id,),
            ).fetchall()
        return tuple(row[0] for row in rows)

    def prune(self, now: datetime) -> int:
        """Remove alerts every channel delivered more than ``KEEP_DELIVERED`` ago."""
        cutoff = (now - KEEP_DELIVERED).isoformat()
        with self._connection() as connection:
            old = [
                row[0]
                for row in connection.execute(
                    "select alert_id from deliveries group by alert_id "
                    "having count(delivered_at) = count(*) and max(delivered_at) < ?",
                    (cutoff,),
                )
            ]
            connection.executemany("delete from deliveries where alert_id = ?", [(i,) for i in old])
            connection.executemany(
                "delete from queued_alerts where alert_id = ?", [(i,) for i in old]
            )
        return len(old)

    def pending_count(self) -> int:
        with self._connection() as connection:
            (count,) = connection.execute(
                "select count(*) from deliveries where delivered_at is null"
            ).fetchone()
        return int(count)
