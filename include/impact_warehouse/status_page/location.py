"""Where the response status page lives; light to import (alerts link to it)."""

from __future__ import annotations

from pathlib import Path

from impact_warehouse.settings import Settings

PAGE_FOLDER = "response_status"
PAGE_NAME = "index.html"


def status_page_path(settings: Settings) -> Path:
    """``<staff pages>/response_status/index.html`` (``Settings.staff_pages``: counts only)."""
    return settings.staff_pages / PAGE_FOLDER / PAGE_NAME
