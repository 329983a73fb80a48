"""Alerts to staff: Japanese messages, delivered by outbox, mail or webhook, without spam.

Mail and webhooks go through Airflow's notifiers (``SmtpNotifier``, ``AppriseNotifier``), inside
a task or outside one; the wording, the digest, the dedup ledger, the queue and the outbox are
the project's own, around them.

``send_alerts`` is called once per run with the run's alerts. It skips conditions already
sent (see ``dedup``), writes the rest to a persisted queue (see ``queue``) with one pending
delivery per channel, and then delivers everything pending, per channel, as one digest
(see ``digest``). A channel counts as delivered only when it delivered: with ``outbox,smtp``
and SMTP down, the outbox line is written and the mail waits in the queue for the next run.
One broken channel never stops the others.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from impact_warehouse.notify.channel_config import AlertConfigError, channels_from_env
from impact_warehouse.notify.channels import (
    AlertDeliveryError,
    AppriseChannel,
    Channel,
    OutboxChannel,
    SmtpChannel,
    WebhookChannel,
)
from impact_warehouse.notify.dedup import DEDUPLICATED_KINDS, AlertLedger
from impact_warehouse.notify.digest import AlertDigest, build_digest
from impact_warehouse.notify.labels import CatalogLabels, labels_for
from impact_warehouse.notify.messages import Alert, RenderedAlert, render
from impact_warehouse.notify.queue import AlertQueue

if TYPE_CHECKING:
    from impact_warehouse.settings import Settings

log = logging.getLogger(__name__)

__all__ = [
    "Alert",
    "AlertConfigError",
    "AlertDeliveryError",
    "AlertDigest",
    "AlertLedger",
    "AlertQueue",
    "AlertResult",
    "AppriseChannel",
    "Channel",
    "OutboxChannel",
    "RenderedAlert",
    "SmtpChannel",
    "WebhookChannel",
    "channels_from_env",
    "deliver_pending",
    "render",
    "send_alerts",
]


@dataclass(frozen=True)
class AlertResult:
    alert: Alert
    # sent: every channel delivered it; queued: some channel has not yet (retried by the
    # next run); suppressed: an open condition already sent and unchanged (dedup).
    status: Literal["sent", "queued", "suppressed"]
    delivered_to: tuple[str, ...] = ()
    errors: dict[str, str] = field(default_factory=dict)  # channel name → error text


def send_alerts(
    alerts: Iterable[Alert],
    *,
    channels: Sequence[Channel] | None = None,
    ledger: AlertLedger | None = None,
    queue: AlertQueue | None = None,
    now: datetime | None = None,
    settings: Settings,
) -> list[AlertResult]:
    """Queue each alert that is news, then deliver all pending alerts as one digest per channel.

    Channels, ledger and queue are those of ``settings`` (its ``outbox`` folder and catalog)
    unless given. Called with no alerts, it only retries what earlier runs
    could not deliver.
    """
    if channels is None:
        channels = channels_from_env(outbox=settings.outbox / "alerts.jsonl")
    if not channels:
        # Every alert would be recorded as delivered, and its condition never alerted again.
        raise AlertConfigError("no alert channel is given; alerts would reach no one")
    ledger = ledger or AlertLedger(settings.outbox / "alert_ledger.sqlite")
    queue = queue or AlertQueue(ledger.path.with_name("alert_queue.sqlite"))
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    alerts = list(alerts)
    news: dict[int, Alert] = {}  # position in ``alerts`` → alert
    for position, alert in enumerate(alerts):
        # The same open condition twice in one call is sent once; events every time.
        repeated = alert.kind in DEDUPLICATED_KINDS and alert in news.values()
        if not repeated and ledger.should_send(alert, now):
            news[position] = alert
    rendered = [render(alert, settings=settings) for alert in news.values()]
    ids = queue.enqueue(rendered, [c.name for c in channels], now)
    queue_ids = dict(zip(news, ids, strict=True))
    for alert in news.values():
        # Accepted for delivery: the queue retries it on every channel until delivered.
        ledger.record_sent(alert, now)
    errors = deliver_pending(channels, queue, now, labels_for(settings))
    queue.prune(now)
    enabled = {channel.name for channel in channels}
    results: list[AlertResult] = []
    for position, alert in enumerate(alerts):
        if position not in queue_ids:
            log.info("alert %s %s already sent and unchanged", alert.kind, alert.fingerprint)
            results.append(AlertResult(alert, "suppressed"))
            continue
        delivered = queue.delivered_channels(queue_ids[position])
        status: Literal["sent", "queued"] = "sent" if set(delivered) >= enabled else "queued"
        results.append(AlertResult(alert, status, delivered, errors))
    return results


def deliver_pending(
    channels: Sequence[Channel],
    queue: AlertQueue,
    now: datetime,
    labels: CatalogLabels,
) -> dict[str, str]:
    """Send each channel's pending alerts as one message; returns channel → error text."""
    errors: dict[str, str] = {}
    for channel in channels:
        pending = queue.claim(channel.name, now)
        if not pending:
            continue
        ids = [item.alert_id for item in pending]
        digest_id = f"{channel.name}-{now.strftime('%Y%m%dT%H%M%S')}-{ids[0]}"
        message = build_digest(digest_id, [item.rendered for item in pending], labels)
        try:
            channel.send(message)
        except (AlertDeliveryError, OSError) as error:
            log.warning(
                "%d alert(s) not delivered by %s; queued for the next run: %s",
                len(ids),
                channel.name,
                error,
            )
            errors[channel.name] = str(error)
            queue.settle(channel.name, ids, now, str(error))
        else:
            queue.settle(channel.name, ids, now, None)
    return errors
