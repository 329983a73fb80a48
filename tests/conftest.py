"""Test session setup: an isolated work folder and embedded Airflow for the whole run.

Set before anything imports Airflow or reads settings, so no test touches the developer's
own ``.work/`` folder.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_SESSION_WORK = Path(tempfile.mkdtemp(prefix="impact-tests-"))
os.environ["IMPACT_WORK_DIR"] = str(_SESSION_WORK)
os.environ.setdefault("IMPACT_PSEUDONYM_KEY", "test-key-not-secret")

from impact_warehouse.airflow_env import airflow_environment  # noqa: E402

os.environ.update(airflow_environment())


# -- shared fixtures -----------------------------------------------------------------------

import socket  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from email import message_from_bytes, policy  # noqa: E402
from email.message import EmailMessage  # noqa: E402

import pytest  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult  # noqa: E402


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on (for settings that must not be the ones used)."""
    return _free_port()


@dataclass
class SmtpInbox:
    """What a real SMTP server on loopback (aiosmtpd) received: mails and login attempts."""

    port: int
    password: str
    messages: list[EmailMessage] = field(default_factory=list)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == self.password.encode())


@pytest.fixture
def smtp_server() -> Iterator[SmtpInbox]:
    """SMTP on loopback; login is optional and succeeds only with ``inbox.password``."""
    inbox = SmtpInbox(port=_free_port(), password="smtp-test-password")
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=inbox.port,
        authenticator=inbox.authenticate,
        auth_require_tls=False,  # loopback test server has no certificate
    )
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
