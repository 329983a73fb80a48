"""Sending through Airflow's notifiers: ``SmtpNotifier`` for mail, ``AppriseNotifier`` for
webhooks (Slack, Teams, LINE, Discord, any JSON endpoint; apprise's URL schemes).

The notifiers are called outside a task with ``notifier.notify(context)``, not as a callback:
``notify`` skips Jinja rendering of the fields we fill (a subject holding ``{{`` stays as
written) and the context is only read for templates we do not use, so an empty one is enough.
What we add is what the project needs and the notifiers do not give:

* the SMTP connection is built in memory from the resolved settings (an Airflow connection
  ``impact_smtp`` in our extra vocabulary, or ``IMPACT_SMTP_*``), because ``SmtpHook`` reads
  its own extras (``disable_ssl``, ``disable_tls``, ``from_email``) and would otherwise try
  SSL by default and retry five times in-process, while our queue retries on the next run;
* ``AppriseHook.notify`` drops apprise's result, so a failed POST looks like a success; the
  warnings apprise logs while sending are caught and turned into :class:`AlertDeliveryError`
  (a channel counts as delivered only when it delivered).
"""

from __future__ import annotations

import html
import json
import logging
import re
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any

log = logging.getLogger(__name__)


class AlertDeliveryError(RuntimeError):
    """A channel could not deliver an alert (the message holds no secret)."""


def plain_text_html(body: str) -> str:
    """The Japanese plain-text body as the HTML part ``SmtpNotifier`` sends, line for line.

    Only ``& < >`` are escaped: the body's quotes (JSON in the technical details) stay readable.
    """
    escaped = html.escape(body, quote=False)
    return (
        '<pre style="white-space: pre-wrap; font-family: sans-serif; font-size: 14px">'
        f"{escaped}</pre>"
    )


def send_mail(
    *,
    host: str,
    port: int,
    sender: str,
    recipients: tuple[str, ...],
    subject: str,
    body: str,
    user: str | None,
    password: str | None,
    starttls: bool,
    ssl: bool,
    timeout: float,
) -> None:
    """One mail through ``SmtpNotifier`` (its ``SmtpHook`` builds and sends the MIME message)."""
    connection = _smtp_connection(
        host=host,
        port=port,
        sender=sender,
        user=user,
        password=password,
        starttls=starttls,
        ssl=ssl,
        timeout=timeout,
    )
    notifier = _smtp_notifier(connection, sender, recipients, subject, body)
    try:
        notifier.notify({})
    except (OSError, smtplib.SMTPException) as error:
        # smtplib's error texts never hold the password; type and text are enough.
        raise AlertDeliveryError(
            f"SMTP delivery to {host}:{port} failed: {type(error).__name__}: {error}"
        ) from None
    except Exception as error:  # AirflowException from the hook ("Unable to connect", …)
        raise AlertDeliveryError(
            f"SMTP delivery to {host}:{port} failed: {type(error).__name__}: {error}"
        ) from None


def _smtp_connection(
    *,
    host: str,
    port: int,
    sender: str,
    user: str | None,
    password: str | None,
    starttls: bool,
    ssl: bool,
    timeout: float,
) -> Any:
    """An Airflow SMTP connection held in memory: the settings never go to Airflow's store."""
    from airflow.sdk import Connection

    return Connection(
        conn_id="impact_smtp",
        conn_type="smtp",
        host=host,
        port=port,
        login=user or None,
        password=password or None,
        extra=json.dumps(
            {
                "from_email": sender,
                "disable_ssl": not ssl,
                "disable_tls": not starttls,
                "timeout": max(1, round(timeout)),
                # One attempt: the alert queue retries an undelivered mail on the next run.
                "retry_limit": 0,
            }
        ),
    )


def _smtp_notifier(
    connection: Any, sender: str, recipients: tuple[str, ...], subject: str, body: str
) -> Any:
    """``SmtpNotifier`` whose hook uses ``connection`` instead of looking one up."""
    from airflow.providers.smtp.hooks.smtp import SmtpHook
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    class _ResolvedSmtpHook(SmtpHook):
        def get_connection(self, conn_id: str) -> Any:  # type: ignore[override]
            return connection

    class _Notifier(SmtpNotifier):
        @cached_property
        def hook(self) -> SmtpHook:
            return _ResolvedSmtpHook(smtp_conn_id="impact_smtp")

    return _Notifier(
        to=list(recipients),
        from_email=sender,
        subject=subject,
        html_content=plain_text_html(body),
        mime_charset="utf-8",
        smtp_conn_id="impact_smtp",
    )


class _Warnings(logging.Handler):
    """Collects what apprise logs at WARNING or above while one notification is sent."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def apprise_warnings() -> Iterator[list[str]]:
    handler = _Warnings()
    logger = logging.getLogger("apprise")
    # A quieter logging set-up (root at ERROR) would drop the warnings that say it failed.
    level = logger.level
    if logger.getEffectiveLevel() > logging.WARNING:
        logger.setLevel(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


_HTTP_STATUS = re.compile(r"error=(\d{3})")


def send_apprise(
    *,
    subject: str,
    body: str,
    where: str,
    url: str | None = None,
    connection_id: str | None = None,
    secrets: tuple[str, ...] = (),
) -> int | None:
    """One message through ``AppriseNotifier``: to ``url`` (an apprise URL) or to the services
    of the Airflow apprise connection ``connection_id``.

    Raises :class:`AlertDeliveryError` naming ``where`` (never the URL, which carries its token);
    returns None. An HTTP status apprise reports is kept on the error as ``status``.
    """
    from airflow.providers.apprise.notifications.apprise import AppriseNotifier
    from apprise import AppriseConfig

    kwargs: dict[str, Any] = {"body": body, "title": subject}
    if url is not None:
        config = AppriseConfig()
        config.add_config(url, format="text")
        kwargs["config"] = config
    else:
        kwargs["apprise_conn_id"] = connection_id
    notifier = AppriseNotifier(**kwargs)
    with apprise_warnings() as warnings:
        try:
            notifier.notify({})
        except Exception as error:  # a missing connection, a bad config in it
            raise AlertDeliveryError(
                f"apprise delivery to {where} failed: {type(error).__name__}"
            ) from None
    if warnings:
        text = _redact("; ".join(warnings), secrets)
        status = _HTTP_STATUS.search(text)
        error = AlertDeliveryError(
            f"webhook to {where} answered HTTP {status.group(1)}"
            if status
            else f"apprise delivery to {where} failed: {text}"
        )
        error.status = int(status.group(1)) if status else None  # type: ignore[attr-defined]
        raise error
    return None


def _redact(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
