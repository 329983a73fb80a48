"""Which alert channels are on, and their settings: Airflow connections first, else variables.

``IMPACT_ALERT_CHANNELS`` names the channels (:mod:`impact_warehouse.notify.channels`). Their
settings come from the Airflow connections ``impact_smtp``, ``impact_alert_webhook`` and
(channel ``apprise``) an apprise connection, ``impact_apprise`` unless
``IMPACT_APPRISE_CONN_ID`` names another, when they are defined (metadata database, secrets
backend or ``AIRFLOW_CONN_*``), else from the ``IMPACT_SMTP_*`` / ``IMPACT_ALERT_*`` variables.
Inside an organisation's scope each connection id ends in ``__<code>``
(``impact_smtp__<code>``): one organisation's alerts never reach another's recipients.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from impact_warehouse.notify.channels import (
    APPRISE_CONNECTION_ID,
    AppriseChannel,
    Channel,
    OutboxChannel,
    SmtpChannel,
    WebhookChannel,
)
from impact_warehouse.organisations import scoped_airflow_id

CHANNEL_NAMES = ("outbox", "smtp", "webhook", "apprise")
SMTP_CONNECTION_ID = "impact_smtp"
WEBHOOK_CONNECTION_ID = "impact_alert_webhook"


class AlertConfigError(ValueError):
    """A channel is enabled but not configured; the message names the variable to set."""


def channels_from_env(
    environ: Mapping[str, str] | None = None, *, outbox: Path | None = None
) -> list[Channel]:
    """Channels named in ``IMPACT_ALERT_CHANNELS`` (comma list, default ``outbox``); the outbox
    channel writes to ``outbox`` (``Settings.outbox / "alerts.jsonl"``)."""
    environ = os.environ if environ is None else environ
    listed = environ.get("IMPACT_ALERT_CHANNELS", "outbox")
    # Each channel once: a name listed twice would queue every alert twice for one channel,
    # which the delivery queue refuses (one row per alert and channel) on every run.
    names = list(dict.fromkeys(name.strip().lower() for name in listed.split(",") if name.strip()))
    if not names:
        # With no channel every alert would count as delivered and reach no one.
        raise AlertConfigError(
            f"IMPACT_ALERT_CHANNELS is set to {listed!r}, which names no channel, so alerts "
            f"would reach no one; name at least one of {CHANNEL_NAMES} (comma-separated), or "
            "unset it for the default, outbox"
        )
    channels: list[Channel] = []
    for name in names:
        if name == "outbox":
            if outbox is None:
                raise AlertConfigError(
                    "the outbox channel needs the installation's outbox file (Settings.outbox)"
                )
            channels.append(OutboxChannel(outbox))
        elif name == "smtp":
            connection_id = scoped_airflow_id(SMTP_CONNECTION_ID, environ)
            connection = airflow_connection(connection_id)
            channels.append(
                _smtp_from_connection(connection, environ, connection_id)
                if connection
                else _smtp_from_env(environ)
            )
        elif name == "webhook":
            connection = airflow_connection(scoped_airflow_id(WEBHOOK_CONNECTION_ID, environ))
            url = (connection.password or connection.host or "") if connection else ""
            channels.append(
                WebhookChannel(
                    url=url or _required(environ, "IMPACT_ALERT_WEBHOOK_URL", channel="webhook")
                )
            )
        elif name == "apprise":
            # IMPACT_APPRISE_CONN_ID is an organisation's own setting inside its scope.
            connection_id = environ.get("IMPACT_APPRISE_CONN_ID", "").strip() or scoped_airflow_id(
                APPRISE_CONNECTION_ID, environ
            )
            if airflow_connection(connection_id) is None:
                raise AlertConfigError(
                    f"alert channel 'apprise' is enabled in IMPACT_ALERT_CHANNELS but the Airflow "
                    f"connection {connection_id} (type apprise, extra 'config' with the apprise "
                    f"URLs) is not defined; define it (e.g. AIRFLOW_CONN_"
                    f"{connection_id.upper()}) or remove 'apprise' from IMPACT_ALERT_CHANNELS"
                )
            channels.append(AppriseChannel(connection_id))
        else:
            raise AlertConfigError(
                f"IMPACT_ALERT_CHANNELS names unknown channel {name!r}; use {CHANNEL_NAMES}"
            )
    return channels


def _required(environ: Mapping[str, str], variable: str, *, channel: str) -> str:
    value = environ.get(variable, "").strip()
    if not value:
        raise AlertConfigError(
            f"alert channel '{channel}' is enabled in IMPACT_ALERT_CHANNELS but {variable} "
            f"is not set; set {variable} or remove '{channel}' from IMPACT_ALERT_CHANNELS"
        )
    return value


def airflow_connection(connection_id: str) -> Any | None:
    """The Airflow connection if one is defined, else None (also outside Airflow)."""
    try:
        from airflow.sdk import Connection
    except ImportError:
        return None
    try:
        return Connection.get(connection_id)
    except Exception:  # not defined: each secrets backend raises its own error
        return None


def _addresses(text: str | list[str]) -> tuple[str, ...]:
    items = text if isinstance(text, list) else text.split(",")
    return tuple(address.strip() for address in items if address.strip())


def _is_true(value: object) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes")


def _smtp_from_connection(
    connection: Any, environ: Mapping[str, str], connection_id: str = SMTP_CONNECTION_ID
) -> SmtpChannel:
    """host, port, login, password; extra ``from``, ``to`` (comma list), ``starttls``, ``ssl``.

    ``from`` and ``to`` fall back to IMPACT_ALERT_FROM / IMPACT_ALERT_TO.
    """
    if not connection.host:
        raise AlertConfigError(
            f"Airflow connection {connection_id} has no host; set the SMTP server there"
        )
    extra = connection.extra_dejson
    starttls = _is_true(extra.get("starttls", False))
    return SmtpChannel(
        host=connection.host,
        port=int(connection.port or (587 if starttls else 25)),
        sender=str(extra.get("from") or "").strip()
        or _required(environ, "IMPACT_ALERT_FROM", channel="smtp"),
        recipients=_addresses(
            extra.get("to") or _required(environ, "IMPACT_ALERT_TO", channel="smtp")
        ),
        user=connection.login or None,
        password=connection.password or None,
        starttls=starttls,
        ssl=_is_true(extra.get("ssl", False)),
    )


def _smtp_from_env(environ: Mapping[str, str]) -> SmtpChannel:
    host = _required(environ, "IMPACT_SMTP_HOST", channel="smtp")
    sender = _required(environ, "IMPACT_ALERT_FROM", channel="smtp")
    recipients = tuple(
        address.strip()
        for address in _required(environ, "IMPACT_ALERT_TO", channel="smtp").split(",")
        if address.strip()
    )
    starttls = environ.get("IMPACT_SMTP_STARTTLS", "false").strip().lower() in (
        "1",
        "true",
        "yes",
    )
    port_text = environ.get("IMPACT_SMTP_PORT", "").strip() or ("587" if starttls else "25")
    if not port_text.isdigit():
        raise AlertConfigError(f"IMPACT_SMTP_PORT={port_text!r} is not a port number")
    user = environ.get("IMPACT_SMTP_USER", "").strip() or None
    password = environ.get("IMPACT_SMTP_PASSWORD") or None
    if user and not password:
        _required(environ, "IMPACT_SMTP_PASSWORD", channel="smtp")
    return SmtpChannel(
        host=host,
        port=int(port_text),
        sender=sender,
        recipients=recipients,
        user=user,
        password=password,
        starttls=starttls,
        ssl=_is_true(environ.get("IMPACT_SMTP_SSL", "false")),
    )
