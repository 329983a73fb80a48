"""Where alerts go: a local outbox file (default), mail, webhooks (Slack, Teams, LINE, …).

Mail and webhooks are sent through Airflow's notifiers (``SmtpNotifier``, ``AppriseNotifier``;
see :mod:`impact_warehouse.notify.notifiers`). Their settings come from the Airflow
connections ``impact_smtp``, ``impact_alert_webhook`` and (channel ``apprise``) an apprise
connection, ``impact_apprise`` unless ``IMPACT_APPRISE_CONN_ID`` names another, when they are
defined (metadata database, secrets backend or ``AIRFLOW_CONN_*``), else from the
``IMPACT_SMTP_*`` / ``IMPACT_ALERT_*`` variables. Secrets (SMTP password, webhook URL, which
carries its own token) are never logged and never appear in exception messages or reprs.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from impact_warehouse.notify.notifiers import AlertDeliveryError, send_apprise, send_mail
from impact_warehouse.settings import paths

log = logging.getLogger(__name__)

CHANNEL_NAMES = ("outbox", "smtp", "webhook", "apprise")
SMTP_CONNECTION_ID = "impact_smtp"
WEBHOOK_CONNECTION_ID = "impact_alert_webhook"
APPRISE_CONNECTION_ID = "impact_apprise"

__all__ = [
    "CHANNEL_NAMES",
    "AlertConfigError",
    "AlertDeliveryError",
    "AppriseChannel",
    "Channel",
    "OutboxChannel",
    "SmtpChannel",
    "WebhookChannel",
    "channels_from_env",
]


class AlertConfigError(ValueError):
    """A channel is enabled but not configured; the message names the variable to set."""


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
    """Mail through Airflow's ``SmtpNotifier`` (see :mod:`impact_warehouse.notify.notifiers`)."""

    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    timeout: float = 10.0
    # Implicit TLS (SMTPS, usually port 465); STARTTLS is ``starttls``.
    ssl: bool = False
    name: str = "smtp"

    def send(self, rendered: Message) -> None:
        send_mail(
            host=self.host,
            port=self.port,
            sender=self.sender,
            recipients=self.recipients,
            subject=rendered.subject,
            body=rendered.body,
            user=self.user,
            password=self.password,
            starttls=self.starttls,
            ssl=self.ssl,
            timeout=self.timeout,
        )


@dataclass
class WebhookChannel:
    """A webhook through Airflow's ``AppriseNotifier``.

    ``url`` is either an apprise URL (``slack://``, ``msteams://``, ``line://``, ``json://``, …;
    https URLs apprise knows natively, such as Slack's and Teams' incoming webhooks, too) or
    any other http(s) URL, which gets the Slack-compatible ``{"text": "*subject*\\nbody"}``
    the project always sent (apprise's ``json://`` with its fields mapped). One retry on a 5xx
    answer; after that the alert queue retries on the next run.
    """

    url: str = field(repr=False)
    timeout: float = 10.0
    name: str = "webhook"

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc.rsplit("@", 1)[-1]

    def send(self, rendered: Message) -> None:
        target, slack_text = apprise_url(self.url, timeout=self.timeout)
        subject, body = (
            ("", f"*{rendered.subject}*\n{rendered.body}")
            if slack_text
            else (
                rendered.subject,
                rendered.body,
            )
        )
        for attempt in (1, 2):
            try:
                send_apprise(
                    subject=subject,
                    body=body,
                    where=self.host,
                    url=target,
                    secrets=_secrets(self.url),
                )
                return
            except AlertDeliveryError as error:
                status = getattr(error, "status", None)
                if attempt == 2 or status is None or status < 500:
                    raise
                log.warning(
                    "webhook to %s answered HTTP %s (attempt %s)", self.host, status, attempt
                )


@dataclass
class AppriseChannel:
    """The services of an Airflow apprise connection (its ``config`` extra lists apprise URLs
    with tags): ``AppriseNotifier(apprise_conn_id=...)`` as Airflow documents it."""

    connection_id: str = APPRISE_CONNECTION_ID
    name: str = "apprise"

    def send(self, rendered: Message) -> None:
        send_apprise(
            subject=rendered.subject,
            body=rendered.body,
            where=f"the services of connection {self.connection_id}",
            connection_id=self.connection_id,
        )


def apprise_url(url: str, *, timeout: float = 10.0) -> tuple[str, bool]:
    """The apprise URL for ``url`` and whether the message goes as Slack-style ``text``."""
    import apprise

    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        return url, False  # already an apprise URL: slack://, msteams://, line://, json://, …
    if apprise.Apprise.instantiate(url) is not None:
        return url, False  # a webhook apprise knows (Slack, Teams, Discord, …)
    # Any other endpoint: the Slack-compatible payload {"text": ...}, as before apprise.
    parts = urlsplit(url)
    mapped = "&".join(
        [":message=text", ":title=", ":version=", ":attachments=", ":type=", f"cto={timeout:g}"]
    )
    query = f"{parts.query}&{mapped}" if parts.query else mapped
    json_scheme = "jsons" if scheme == "https" else "json"
    return f"{json_scheme}://{parts.netloc}{parts.path}?{query}", True


def _secrets(url: str) -> tuple[str, ...]:
    """The parts of a webhook URL that may be its token: never in an error text."""
    parts = urlsplit(url)
    segments = [segment for segment in parts.path.split("/") if len(segment) >= 4]
    return (url, parts.password or "", parts.query, *segments)


def channels_from_env(
    environ: Mapping[str, str] | None = None, *, outbox: Path | None = None
) -> list[Channel]:
    """Channels named in ``IMPACT_ALERT_CHANNELS`` (comma list, default ``outbox``); the outbox
    channel writes to ``outbox`` (default ``<work>/outbox/alerts.jsonl``)."""
    environ = os.environ if environ is None else environ
    names = [
        name.strip().lower()
        for name in environ.get("IMPACT_ALERT_CHANNELS", "outbox").split(",")
        if name.strip()
    ]
    channels: list[Channel] = []
    for name in names:
        if name == "outbox":
            channels.append(OutboxChannel(outbox) if outbox else OutboxChannel())
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
        elif name == "apprise":
            connection_id = (
                environ.get("IMPACT_APPRISE_CONN_ID", "").strip() or APPRISE_CONNECTION_ID
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


def _smtp_from_connection(connection: Any, environ: Mapping[str, str]) -> SmtpChannel:
    """host, port, login, password; extra ``from``, ``to`` (comma list), ``starttls``, ``ssl``.

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
