"""Airflow-specific glue kept out of DAG files: shared defaults, assets, secret lookup, and
how task failures are explained and classified (retry or stop at once).

Secrets resolve from Airflow (connection ``impact_forms_api``, variable
``impact_pseudonym_key``; both also settable as ``AIRFLOW_CONN_*`` / ``AIRFLOW_VAR_*``
environment variables) and fall back to the plain ``IMPACT_*`` environment variables. Inside
an organisation's scope both ids end in ``__<code>`` (``impact_forms_api__<code>``):
one organisation never reads another's key or credential.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from impact_warehouse.organisations import scoped_airflow_id
from impact_warehouse.sources.google_forms import (
    DEFAULT_BASE_URL,
    FormsApiConfig,
    forms_api_config_from_env,
)

log = logging.getLogger(__name__)

# Libraries whose INFO lines bury the task's own: great_expectations logs every internal
# registration ("Skipping registering function …") at INFO. Their warnings still show.
# Set here because every DAG file imports this module in every task process, after Airflow
# configured logging. (Airflow's [logging] namespace_levels filters its structlog loggers
# only, not standard-library loggers such as these.)
QUIET_LIBRARY_LOGGERS = ("great_expectations",)


def quiet_library_loggers() -> None:
    for name in QUIET_LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


quiet_library_loggers()

FORMS_CONNECTION_ID = "impact_forms_api"
PSEUDONYM_KEY_VARIABLE = "impact_pseudonym_key"
LANDING_ASSET_URI = "file://impact-warehouse/landing"
PUBLISHED_ASSET_URI = "file://impact-warehouse/published"
# DuckDB allows one writer per file: every task that writes the warehouse runs in this pool.
DUCKDB_WRITER_POOL = "duckdb_writer"


def alert_staff_on_failure(context: Any) -> None:
    """Task-failure callback: staff get a plain-Japanese alert naming the task and the wave.

    The task id goes in ``check_name`` (the field the message reads); a mapped
    ``land_form_wave`` task names its wave through its ``wave_code`` argument, and the wave's
    program and cohort come from the catalog. A callback never raises: an alert that cannot
    be delivered stays queued for the next run.
    """
    from impact_warehouse.notify import Alert, send_alerts
    from impact_warehouse.settings import paths

    task_instance = context["ti"]
    wave_code = _failed_wave_code(context)
    program_code = cohort_code = None
    if wave_code is not None:
        program_code, cohort_code = _wave_program_and_cohort(wave_code)
    alert = Alert(
        kind="task_failure",
        program_code=program_code,
        cohort_code=cohort_code,
        wave_code=wave_code,
        check_name=task_instance.task_id,
        run_id=context.get("run_id"),
        action_ja=_cause_ja(context.get("exception")),
        details={
            "dag_id": task_instance.dag_id,
            "task_id": task_instance.task_id,
            "map_index": getattr(task_instance, "map_index", -1),
            "try_number": task_instance.try_number,
            "exception": repr(context.get("exception")),
        },
    )
    try:
        # The callback runs in the task's scope (an organisation's DAG sets its environment).
        send_alerts([alert], settings=paths())
    except Exception:  # a broken alert setting must not hide the task's own failure
        log.exception("task-failure alert for %s could not be queued", task_instance.task_id)


def _cause_ja(exception: BaseException | None) -> str | None:
    """The Japanese sentence the task recorded for its failure (cause and what to do)."""
    if exception is None:
        return None
    from airflow.sdk.exceptions import AirflowFailException

    from impact_warehouse.ops.preflight import explain

    cause = exception.__cause__ if isinstance(exception, AirflowFailException) else exception
    return explain(cause or exception)[0]


def _failed_wave_code(context: Any) -> str | None:
    """The wave a failed task worked on: its ``wave_code`` argument (mapped tasks) or param."""
    task = context.get("task") or getattr(context["ti"], "task", None)
    arguments = getattr(task, "op_kwargs", None) or {}
    wave_code = arguments.get("wave_code") if isinstance(arguments, dict) else None
    if wave_code is None:
        wave_code = (context.get("params") or {}).get("wave")
    return str(wave_code) if isinstance(wave_code, str) and wave_code else None


def _wave_program_and_cohort(wave_code: str) -> tuple[str | None, str | None]:
    try:
        from impact_warehouse.catalog import load_catalog

        wave = load_catalog().waves.get(wave_code)
    except Exception:  # an invalid catalog is reported by its own task; the alert still goes
        return None, None
    if wave is None:
        return None, None
    program = None if wave.program_code == "all" else wave.program_code
    cohort = wave.target_cohorts[0] if len(wave.target_cohorts) == 1 else None
    return program, cohort


DEFAULT_RETRIES = 2
DEFAULT_RETRY_DELAY_SECONDS = 120


def _whole_number_env(variable: str, default: int) -> int:
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    if not text.isdigit():
        # DAG files must parse whatever the environment holds: say so and use the default.
        log.warning("%s=%r is not a whole number; using %d", variable, text, default)
        return default
    return int(text)


DEFAULT_ARGS: dict[str, Any] = {
    "owner": "impact-warehouse",
    # Retries are for passing faults (API 5xx, network). Configuration errors and refused API
    # requests stop at once (task_failures_explained), so a wrong set-up costs seconds.
    "retries": _whole_number_env("IMPACT_TASK_RETRIES", DEFAULT_RETRIES),
    "retry_delay": timedelta(
        seconds=_whole_number_env("IMPACT_TASK_RETRY_DELAY_SECONDS", DEFAULT_RETRY_DELAY_SECONDS)
    ),
    "retry_exponential_backoff": True,
    "on_failure_callback": alert_staff_on_failure,
}


@contextlib.contextmanager
def task_failures_explained() -> Iterator[None]:
    """Run a task body: record why it failed (Japanese first) and stop at once when no retry
    can help (missing credential or key, invalid catalog, a request the API refused).

    The record (orchestration.task_errors) is what ``impact pull`` prints and what the run
    summary lists as the cause of a failed source; Airflow's log keeps the traceback.
    """
    from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

    from impact_warehouse.ops.preflight import explain, is_permanent

    try:
        yield
    except AirflowSkipException:
        raise
    except Exception as error:
        cause = error.__cause__ if isinstance(error, AirflowFailException) else error
        message_ja, detail = explain(cause or error)
        permanent = isinstance(error, AirflowFailException) or is_permanent(error)
        _record_failure(message_ja, detail, permanent)
        if permanent and not isinstance(error, AirflowFailException):
            raise AirflowFailException(f"{message_ja}\n{detail}") from error
        raise


def _record_failure(message_ja: str, detail: str, permanent: bool) -> None:
    from airflow.sdk import get_current_context

    from impact_warehouse.orchestration.task_errors import record_task_error
    from impact_warehouse.settings import paths

    try:
        context = get_current_context()
        task_instance = context["ti"]
        record_task_error(
            paths(),
            dag_id=task_instance.dag_id,
            run_id=context["run_id"],
            task_id=task_instance.task_id,
            map_index=task_instance.map_index if task_instance.map_index is not None else -1,
            try_number=task_instance.try_number,
            message_ja=message_ja,
            detail=detail,
            permanent=permanent,
        )
    except Exception:  # the task's own failure matters more than the record of it
        log.exception("could not record the task failure")


def forms_api_config() -> FormsApiConfig:
    from airflow.sdk import Connection

    connection_id = scoped_airflow_id(FORMS_CONNECTION_ID)
    try:
        connection = Connection.get(connection_id)
    except Exception:  # not defined: Airflow raises different errors per secrets backend
        log.info("connection %s not defined; using IMPACT_FORMS_API_* env", connection_id)
        return forms_api_config_from_env()
    host = connection.host or ""
    if "://" not in host:
        host = f"{connection.schema or 'https'}://{host}"
    if connection.port:
        host = f"{host}:{connection.port}"
    base_url = host.rstrip("/") if connection.host else DEFAULT_BASE_URL
    extra = connection.extra_dejson
    # Google's own provider names these fields key_path / keyfile_dict; same here.
    if extra.get("key_path") or extra.get("keyfile_dict"):
        from impact_warehouse.sources.google_auth import ServiceAccountTokens

        key_info = extra.get("keyfile_dict")
        if isinstance(key_info, str):
            key_info = json.loads(key_info)
        tokens = (
            ServiceAccountTokens(key_info)
            if key_info
            else ServiceAccountTokens.from_file(Path(extra["key_path"]))
        )
        return FormsApiConfig(base_url=base_url, token_source=tokens)
    if not connection.password:
        raise ValueError(
            f"Airflow connection {connection_id} has neither a service-account key "
            "(extra key_path or keyfile_dict) nor a password holding a bearer token"
        )
    return FormsApiConfig(base_url=base_url, token=connection.password)


def pseudonym_key() -> bytes | None:
    """The key from the Airflow variable, or None to let the landing code use env/file."""
    from airflow.sdk import Variable

    variable = scoped_airflow_id(PSEUDONYM_KEY_VARIABLE)
    try:
        value = Variable.get(variable, default=None)
    except Exception:  # no metadata/secrets backend reachable (e.g. plain unit tests)
        return None
    if not value:
        return None
    from impact_warehouse.landing.privacy import check_pseudonym_key

    return check_pseudonym_key(value.encode("utf-8"), f"Airflow Variable {variable}")
