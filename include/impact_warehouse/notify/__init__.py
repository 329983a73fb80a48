"""Alerts to staff: Japanese messages, delivered by outbox, mail or webhook, without spam.

``send_alerts`` renders each alert once, skips conditions already sent (see ``dedup``), and
tries every channel; one broken channel does not stop the others. A condition counts as
sent when at least one channel delivered it, so an alert no channel delivered is retried on
the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from impact_warehouse.notify.channels import (
    AlertConfigError,
    AlertDeliveryError,
    Channel,
    OutboxChannel,
    SmtpChannel,
    WebhookChannel,
    channels_from_env,
)
from impact_warehouse.notify.dedup import AlertLedger
from impact_warehouse.notify.messages import Alert, RenderedAlert, render

log = logging.getLogger(__name__)

__all__ = [
    "Alert",
    "AlertConfigError",
    "AlertDeliveryError",
    "AlertLedger",
    "AlertResult",
    "Channel",
    "OutboxChannel",
    "RenderedAlert",
    "SmtpChannel",
    "WebhookChannel",
    "channels_from_env",
    "render",
    "send_alerts",
]


@dataclass(frozen=True)
class AlertResult:
    alert: Alert
    status: Literal["sent", "suppressed", "failed"]
    delivered_to: tuple[str, ...] = ()
    errors: dict[str, str] = field(default_factory=dict)  # channel name → error text


def send_alerts(
    alerts: Iterable[Alert],
    *,
    channels: Sequence[Channel] | None = None,
    ledger: AlertLedger | None = None,
    now: datetime | None = None,
) -> list[AlertResult]:
    """Deliver each alert that is news; channels and ledger default to the environment's."""
    channels = channels_from_env() if channels is None else channels
    ledger = ledger or AlertLedger()
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return [_send_one(alert, channels, ledger, now) for alert in alerts]


def _send_one(
    alert: Alert, channels: Sequence[Channel], ledger: AlertLedger, now: datetime
) -> AlertResult:
    if not ledger.should_send(alert, now):
        log.info("alert %s %s already sent and unchanged", alert.kind, alert.fingerprint)
        return AlertResult(alert, "suppressed")
    rendered = render(alert)
    delivered: list[str] = []
    errors: dict[str, str] = {}
    for channel in channels:
        try:
            channel.send(rendered)
        except (AlertDeliveryError, OSError) as error:
            log.warning("alert %s not delivered by %s: %s", alert.fingerprint, channel.name, error)
            errors[channel.name] = str(error)
        else:
            delivered.append(channel.name)
    if not delivered:
        return AlertResult(alert, "failed", errors=errors)
    ledger.record_sent(alert, now)
    return AlertResult(alert, "sent", tuple(delivered), errors)
