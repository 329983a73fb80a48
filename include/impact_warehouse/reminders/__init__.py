"""Reminder lists: who has not answered an open wave yet, with contacts, for staff only.

``impact reminders --wave W`` (``cli/reminders.py``) calls :func:`create_reminder_list`:
the non-respondents come from the audit warehouse (``targets.py``: the response-rate rules,
refused when the latest pull is not built yet), their names and emails from the vault, and
the CSV and its audit line go to ``Settings.reminders`` inside the vault (``export.py``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from impact_warehouse.catalog import load_catalog
from impact_warehouse.catalog.errors import CatalogError
from impact_warehouse.reminders.export import COLUMNS, ReminderExport, export_reminders
from impact_warehouse.reminders.targets import (
    NO_VALID_ANSWER,
    NOT_ANSWERED,
    NonRespondent,
    RemindersError,
    choose_wave,
    read_non_respondents,
)
from impact_warehouse.settings import Settings

__all__ = [
    "COLUMNS",
    "NOT_ANSWERED",
    "NO_VALID_ANSWER",
    "NonRespondent",
    "ReminderExport",
    "RemindersError",
    "create_reminder_list",
]


def create_reminder_list(
    settings: Settings,
    *,
    wave_code: str,
    as_of: date,
    audit_db: Path,
    cohort_code: str | None = None,
    by: str | None = None,
    today: date | None = None,
) -> ReminderExport:
    """Export the reminder list of an open wave; RemindersError (Japanese) when it cannot."""
    try:
        catalog = load_catalog(settings.catalog)
    except CatalogError as error:
        raise RemindersError(
            "カタログ(調査の設定ファイル)に誤りがあります。", str(error)
        ) from error
    wave = choose_wave(catalog, wave_code, cohort_code, as_of)
    people = read_non_respondents(audit_db, settings.landing, wave, cohort_code)
    # The window is judged on as_of (a demo plays another day); the audit line keeps the real
    # day beside it, so a list made for a day other than today is visible in the log.
    return export_reminders(
        settings,
        wave,
        people,
        cohort_code=cohort_code,
        as_of=as_of,
        by=by,
        today=today or catalog.organisation.today(),
    )
