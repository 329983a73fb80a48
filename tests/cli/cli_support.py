"""Helpers shared by the CLI tests (a module with a unique name, so tests can import it)."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

# The demo is looked at on 2026-11-01 (a monthly run date): the backfill's release can then be
# compared with the monthly runs up to that day, which see exactly the same sources.
AS_OF = date(2026, 11, 1)
TOKEN = secrets.token_urlsafe(16)
_ENV_NAMES = (
    "IMPACT_WORK_DIR",
    "IMPACT_INBOX_DIR",
    "IMPACT_FORMS_API_URL",
    "IMPACT_FORMS_API_TOKEN",
    "AIRFLOW_CONN_IMPACT_FORMS_API",
)


@contextlib.contextmanager
def impact_env(work: Path, inbox: Path | None = None, api_url: str | None = None) -> Iterator[None]:
    """Point the package (paths(), the Forms API settings) at one work folder, then restore."""
    saved = {name: os.environ.get(name) for name in _ENV_NAMES}
    for name in ("AIRFLOW_CONN_IMPACT_FORMS_API", "IMPACT_FORMS_API_URL", "IMPACT_FORMS_API_TOKEN"):
        os.environ.pop(name, None)  # only what this call sets
    os.environ["IMPACT_WORK_DIR"] = str(work)
    if inbox is not None:
        os.environ["IMPACT_INBOX_DIR"] = str(inbox)
    if api_url is not None:
        os.environ["IMPACT_FORMS_API_URL"] = api_url
        os.environ["IMPACT_FORMS_API_TOKEN"] = TOKEN
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass(frozen=True)
class Backfilled:
    work: Path
    inbox: Path
    api_url: str
    output: str

    def env(self) -> contextlib.AbstractContextManager[None]:
        return impact_env(self.work, self.inbox, self.api_url)
