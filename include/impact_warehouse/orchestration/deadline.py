"""The fiscal-year release deadline: alert staff when a year's release is not published in time.

Wired as an Airflow deadline alert on the ``impact_warehouse`` DAG (``DeadlineAlert`` on the run's
logical date + ``IMPACT_RELEASE_DEADLINE_DAYS``, a ``SyncCallback`` to
:func:`release_deadline_missed`). Airflow calls it only when a run has not *succeeded* by its
deadline; the callback then checks what matters to staff — is there a release of that fiscal
year? — so a failed run that a later manual run made good does not raise a false alarm.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from impact_warehouse.ops.calendar import Calendar, configured_calendar

if TYPE_CHECKING:
    from impact_warehouse.settings import Settings

log = logging.getLogger(__name__)

DEADLINE_ALERT_NAME = "fiscal_year_release_deadline"


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        moment = value
    else:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def format_japanese_datetime(moment: datetime, calendar: Calendar) -> str:
    local = moment.astimezone(calendar.zone)
    return f"{local.year}年{local.month}月{local.day}日 {local.hour}:{local.minute:02d}"


def check_release_deadline(
    fiscal_year: int,
    settings: Settings,
    *,
    due_at: datetime,
    now: datetime | None = None,
    run_id: str | None = None,
    dag_id: str | None = None,
    calendar: Calendar | None = None,
) -> dict[str, Any]:
    """Alert staff (through ``notify``, to the outbox of ``settings``) unless a release of
    ``fiscal_year`` exists among the releases of ``settings``."""
    from impact_warehouse.notify import Alert, send_alerts
    from impact_warehouse.publish import current_release, list_releases
    from impact_warehouse.publish.files import DamagedRecordError

    now = now or datetime.now(UTC)
    releases_dir = settings.releases
    releases = list_releases(releases_dir)
    published = [release for release in releases if release.fiscal_year == fiscal_year]
    if published:
        log.info(
            "FY%s release %s is published; the deadline %s needs no alert",
            fiscal_year,
            published[-1].release_id,
            due_at.isoformat(),
        )
        return {"fiscal_year": fiscal_year, "late": False, "release_id": published[-1].release_id}
    try:
        current = current_release(releases_dir)
    except DamagedRecordError as error:
        # The release is late either way: a damaged record must not silence the alert.
        log.warning("the current release cannot be read: %s", error)
        current = None
    calendar = calendar or configured_calendar()
    alert = Alert(
        kind="release_overdue",
        fiscal_year=fiscal_year,
        run_id=run_id,
        details={
            "due_at": due_at.isoformat(),
            "due_at_ja": format_japanese_datetime(due_at, calendar),
            "checked_at": now.isoformat(),
            "dag_id": dag_id,
            "current_release": current.release_id if current else None,
            "current_release_gate_passed": current.gate_result.get("passed") if current else None,
            "how_to_change_deadline": (
                "IMPACT_RELEASE_DEADLINE_DAYS (days after the yearly release run)"
            ),
        },
    )
    results = send_alerts([alert], settings=settings)
    log.warning("FY%s release is late (due %s): staff alerted", fiscal_year, due_at.isoformat())
    return {
        "fiscal_year": fiscal_year,
        "late": True,
        "alerts": [result.status for result in results],
    }


def release_deadline_alert(organisation_code: str | None = None) -> Any:
    """The ``DeadlineAlert`` of the impact_warehouse DAG, or None when the setting is ``off``.

    ``organisation_code``: the DAG is that organisation's; its callback runs in its scope
    (Airflow calls the callback by its import path, so the code travels as an argument).

    ``off`` exists for ``airflow dags test``: in Airflow 3.3.2, ``DAG.test()`` hands the run a
    DAG whose deadlines are not stored in the database, and a run that succeeds then fails on
    ``DeadlineAlertModel.get_by_id(<dict>)``. The ``impact`` commands set it for their test
    runs; the scheduler (standalone, compose) keeps the deadline.
    """
    from airflow.sdk import DeadlineAlert, DeadlineReference, SyncCallback

    from impact_warehouse.ops.calendar import release_deadline_interval

    interval = release_deadline_interval()
    if interval is None:
        return None
    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_LOGICAL_DATE,
        interval=interval,
        callback=SyncCallback(
            release_deadline_missed,
            kwargs={"organisation_code": organisation_code} if organisation_code else None,
        ),
        name=DEADLINE_ALERT_NAME,
    )


def release_deadline_missed(
    context: Mapping[str, Any] | None = None, organisation_code: str | None = None, **_: Any
) -> dict[str, Any]:
    """Airflow ``SyncCallback`` target: a run of impact_warehouse missed its deadline.

    With ``organisation_code`` the check and the alert run in that organisation's scope (its
    releases, calendar and recipients).

    ``context`` is what Airflow passes to deadline callbacks: ``dag_run`` (the run as the REST
    API shows it) and ``deadline`` (``deadline_time``). The fiscal year is the run's
    ``fiscal_year`` parameter, else the one that ended before the run in the organisation's
    calendar (Mamabono: 1 May 2026 → FY2025).
    """
    if organisation_code:
        from impact_warehouse.organisations import (
            Organisation,
            OrganisationError,
            find_organisation,
            organisation_scope,
            registry_dir,
        )

        try:
            organisation = find_organisation(organisation_code)
        except OrganisationError:
            # Its folder broke after the DAG was made: the late release is exactly what staff
            # must still hear, from its own folders (the catalog check names the fault).
            organisation = Organisation(organisation_code, registry_dir() / organisation_code)
        with organisation_scope(organisation):
            return release_deadline_missed(context)
    from impact_warehouse.settings import paths

    context = context or {}
    dag_run = context.get("dag_run") or {}
    deadline = context.get("deadline") or {}
    due_at = _as_datetime(deadline.get("deadline_time")) or datetime.now(UTC)
    run_at = _as_datetime(dag_run.get("logical_date") or dag_run.get("run_after")) or due_at
    conf = dag_run.get("conf") or {}
    calendar = configured_calendar()
    fiscal_year = conf.get("fiscal_year") or calendar.released_fiscal_year(run_at)
    return check_release_deadline(
        int(fiscal_year),
        paths(),
        due_at=due_at,
        run_id=dag_run.get("dag_run_id") or dag_run.get("run_id"),
        dag_id=dag_run.get("dag_id"),
        calendar=calendar,
    )
