"""Why a task failed, kept as a small JSON-lines file per DAG run for people and commands.

Airflow keeps the full traceback in the task log; this keeps the cause in plain Japanese with
a one-line technical detail, so that ``impact pull`` can print it first (it runs the DAG in an
``airflow dags test`` subprocess and cannot catch the exception) and the run summary can say
which source failed and why. One file per run: ``<work>/logs/task_errors/<dag_id>/<run_id>.jsonl``.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from impact_warehouse.settings import Settings

# A detail is one exception line, not a dump: enough to search the task log for the rest.
MAX_DETAIL_CHARS = 2000


@dataclass(frozen=True)
class TaskError:
    dag_id: str
    run_id: str
    task_id: str
    map_index: int
    try_number: int
    message_ja: str
    detail: str
    permanent: bool  # no retry: configuration errors and refused API requests
    recorded_at: str

    @property
    def label(self) -> str:
        return self.task_id if self.map_index < 0 else f"{self.task_id}[{self.map_index}]"


def errors_dir(settings: Settings, dag_id: str) -> Path:
    return settings.work / "logs" / "task_errors" / dag_id


def _file_name(run_id: str) -> str:
    # Run ids hold ':' and '+' (manual__2026-12-01T03:00:00+00:00): safe on every filesystem.
    return re.sub(r"[^A-Za-z0-9_.-]", "_", run_id) + ".jsonl"


def record_task_error(
    settings: Settings,
    *,
    dag_id: str,
    run_id: str,
    task_id: str,
    map_index: int,
    try_number: int,
    message_ja: str,
    detail: str,
    permanent: bool,
) -> Path:
    """Append one failure of one task try; appends are atomic enough for one line each."""
    error = TaskError(
        dag_id=dag_id,
        run_id=run_id,
        task_id=task_id,
        map_index=map_index,
        try_number=try_number,
        message_ja=message_ja,
        detail=detail[:MAX_DETAIL_CHARS],
        permanent=permanent,
        recorded_at=datetime.now(UTC).isoformat(),
    )
    path = errors_dir(settings, dag_id) / _file_name(run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(asdict(error), ensure_ascii=False) + "\n")
    return path


def _read(path: Path, since: datetime | None) -> list[TaskError]:
    errors = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            error = TaskError(**json.loads(line))
            recorded = datetime.fromisoformat(error.recorded_at)
        except (ValueError, TypeError):
            continue  # a line cut by a killed task: the others still tell the story
        if since is None or recorded >= since:
            errors.append(error)
    return errors


def run_errors(
    settings: Settings, dag_id: str, run_id: str, since: datetime | None = None
) -> list[TaskError]:
    """Every recorded failure of one run (since ``since``: a re-run of the same run id, as
    ``airflow dags test`` does for one logical date, must not inherit the earlier failures)."""
    path = errors_dir(settings, dag_id) / _file_name(run_id)
    return _read(path, since) if path.is_file() else []


def latest_errors(settings: Settings, dag_id: str, since: datetime) -> list[TaskError]:
    """The failures of the newest run that recorded any after ``since`` (a command's start)."""
    folder = errors_dir(settings, dag_id)
    if not folder.is_dir():
        return []
    recent = [
        path
        for path in folder.glob("*.jsonl")
        if datetime.fromtimestamp(path.stat().st_mtime, UTC) >= since
    ]
    if not recent:
        return []
    return _read(max(recent, key=lambda path: path.stat().st_mtime), since)


def last_try_per_task(errors: list[TaskError]) -> list[TaskError]:
    """One entry per task (its last recorded try), first failure first."""
    latest: dict[tuple[str, int], TaskError] = {}
    for error in errors:
        latest[(error.task_id, error.map_index)] = error
    return sorted(latest.values(), key=lambda error: error.recorded_at)
