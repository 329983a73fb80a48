"""Where alerts go: a local outbox file (default), SMTP mail, a Slack-compatible webhook.

SMTP and webhook settings come from the Airflow connections ``impact_smtp`` and
``impact_alert_webhook`` when they are defined (metadata database, secrets backend or
``AIRFLOW_CONN_*``), else from the ``IMPACT_SMTP_*`` / ``IMPACT_ALERT_*`` variables.
Secrets (SMTP password, webhook URL, which carries its own token) are never logged and never
appear in exception messages or reprs.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests

from impact_warehouse.settings import paths

log = logging.getLogger(__name__)

CHANNEL_NAMES = ("outbox", "smtp", "webhook")
SMTP_CONNECTION_ID = "impact_smtp"
WEBHOOK_CONNECTION_ID = "impact_alert_webhook"


class AlertConfigError(ValueError):
    """A channel is enabled but not configured; the message names the variable to set."""


class AlertDeliveryError(RuntimeError):
    """A channel could not deliver an alert (the message holds no secret)."""


class Message(Protocol):
    """One alert (``RenderedAlert``) or the digest of a run (``AlertDigest``)."""

    subject: str
    body: str

    def records(self) -> list[dict[str, Any]]: ...


class Channel(Protocol):
    name: str

    def send(self, rendered: Message) -> None: ...


@dataclass
class OutboxChannel:
    """Appends one JSON line per alert (a digest's alerts carry its id and subject): the
    demo's channel, and the record ``impact status`` reads of what was sent."""

    path: Path = field(default_factory=lambda: paths().work / "outbox" / "alerts.jsonl")
    name: str = "outbox"

    def send(self, rendered: Message) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lines = "".join(
            json.dumps(record, ensure_ascii=False, default=str) + "\n"
            for record in rendered.records()
        )
        # One write: a crash never leaves half of a digest in the outbox.
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(lines)


@dataclass
class SmtpChannel:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    timeout: float = 10.0
    name: str = "smtp"

    def send(self, rendered: Message) -> None:
        message = EmailMessage()
        message["Subject"] = rendered.subject
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain="impact-warehouse")
        message.set_content(rendered.body, charset="utf-8")
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            # The error text of smtplib never holds the password; type and text are enough.
            raise AlertDeliveryError(
                f"SMTP delivery to {self.host}:{self.port} failed: {type(error).__name__}: {error}"
            ) from None


@dataclass
class WebhookChannel:
    """Slack-compatible incoming webhook: POST ``{"text": ...}``; one retry on a 5xx answer."""

    url: str = field(repr=False)
    timeout: float = 10.0
    name: str = "webhook"

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc.rsplit("@", 1)[-1]

    def send(self, rendered: Message) -> None:
        payload = {"text": f"*{rendered.subject}*\n{rendered.body}"}
        status = None
        for attempt in (1, 2):
            try:
                response = requests.post(self.url, json=payload, timeout=self.timeout)
            except requests.RequestException as error:
                # requests puts the full URL (and its token) in the text: report the type only.
                raise AlertDeliveryError(
                    f"webhook to {self.host} failed: {type(error).__name__}"
                ) from None
            status = response.status_code
            if status < 500:
                break
            log.warning("webhook to %s answered HTTP %s (attempt %s)", self.host, status, attempt)
        if status is None or status >= 300:
            raise AlertDeliveryError(f"webhook to {self.host} answered HTTP {status}")


def channels_from_env(environ: Mapping[str, str] | None = None) -> list[Channel]:
    """Channels named in ``IMPACT_ALERT_CHANNELS`` (comma list, default ``outbox``)."""
    environ = os.environ if environ is None else environ
    names = [
        name.strip().lower()
        for name in environ.get("IMPACT_ALERT_CHANNELS", "outbox").split(",")
        if name.strip()
    ]
    channels: list[Channel] = []
    for name in names:
        if name == "outbox":
            channels.append(OutboxChannel())
        elif name == "smtp":
            connection = airflow_connection(SMTP_CONNECTION_ID)
            channels.append(
                _smtp_from_connection(connection, environ)
                if connection
                else _smtp_from_env(environ)
            )
        elif name == "webhook":
            connection = airflow_connection(WEBHOOK_CONNECTION_ID)
            url = (connection.password or connection.host or "") if connection else ""
            channels.append(
                WebhookChannel(
                    url=url or _required(environ, "IMPACT_ALERT_WEBHOOK_URL", channel="webhook")
                )
            )
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


def _smtp_from_connection(connection: Any, environ: Mapping[str, str]) -> SmtpChannel:
    """host, port, login, password; extra ``from``, ``to`` (comma list), ``starttls``.

    ``from`` and ``to`` fall back to IMPACT_ALERT_FROM / IMPACT_ALERT_TO.
    """
    if not connection.host:
        raise AlertConfigError(
            f"Airflow connection {SMTP_CONNECTION_ID} has no host; set the SMTP server there"
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
    )
