"""Task logs for runs made with ``airflow dags test`` (``impact pull``, ``impact demo``).

``airflow dags test`` runs every task inside its own process and prints the task logs to its
output only: Airflow's UI then shows each task of the run with an empty log. This module cuts
that output at Airflow's ``[DAG TEST] starting`` / ``end task`` markers and writes each
task's lines where the UI reads them (``<base_log_folder>/dag_id=…/run_id=…/task_id=…/
[map_index=…/]attempt=N.log``, Airflow's default ``log_filename_template``), as the JSON lines
Airflow writes itself, so the UI shows time, level and message of every line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

START = re.compile(r"\[DAG TEST\] starting task_id=(?P<task_id>\S+) map_index=(?P<map_index>-?\d+)")
END = re.compile(r"\[DAG TEST\] end task task_id=(?P<task_id>\S+) map_index=(?P<map_index>-?\d+)")
# "[DAG TEST] running task <TaskInstance: impact_ingest.plan_waves manual__2026-… [SCHEDULED]>"
RUN = re.compile(
    r"<TaskInstance: (?P<dag_id>[^ ]+?)\.(?P<task_id>[^ .]+) (?P<run_id>\S+) "
    r"(?:map_index=-?\d+ )?\["
)
# Airflow's console format: "2026-12-01T13:18:37.621994Z [info     ] message …"
LINE = re.compile(
    r"^(?P<timestamp>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) \[(?P<level>\w+)\s*\] "
)


@dataclass
class TaskLog:
    """The lines of one attempt of one task instance."""

    task_id: str
    map_index: int
    attempt: int
    run_id: str | None = None
    lines: list[str] = field(default_factory=list)

    def relative_path(self, dag_id: str) -> Path:
        mapped = f"map_index={self.map_index}/" if self.map_index >= 0 else ""
        return Path(
            f"dag_id={dag_id}/run_id={self.run_id}/task_id={self.task_id}/"
            f"{mapped}attempt={self.attempt}.log"
        )


def split_task_logs(output: str, dag_id: str) -> list[TaskLog]:
    """Each task attempt's lines in one ``airflow dags test`` output (markers included)."""
    logs: list[TaskLog] = []
    attempts: dict[tuple[str, int], int] = {}
    current: TaskLog | None = None
    for line in output.splitlines():
        started = START.search(line)
        if started:
            key = (started["task_id"], int(started["map_index"]))
            attempts[key] = attempts.get(key, 0) + 1
            current = TaskLog(key[0], key[1], attempts[key])
            logs.append(current)
        if current is None:
            continue
        current.lines.append(line)
        running = RUN.search(line)
        if running and running["dag_id"] == dag_id and current.run_id is None:
            current.run_id = running["run_id"]
        ended = END.search(line)
        if ended and (ended["task_id"], int(ended["map_index"])) == (
            current.task_id,
            current.map_index,
        ):
            current = None
    return [log for log in logs if log.run_id is not None]


def structured(line: str, previous_timestamp: str | None) -> dict[str, str]:
    """One console line as Airflow's JSON log line (continuation lines keep the last time)."""
    match = LINE.match(line)
    if match is None:
        record = {"event": line}
        if previous_timestamp:
            record["timestamp"] = previous_timestamp
        return record
    return {
        "timestamp": match["timestamp"],
        "level": match["level"].lower(),
        "event": line[match.end() :],
    }


def base_log_folder(env: Mapping[str, str]) -> Path:
    configured = env.get("AIRFLOW__LOGGING__BASE_LOG_FOLDER", "").strip()
    return Path(configured) if configured else Path(env["AIRFLOW_HOME"]) / "logs"


def write_task_logs(output: str, dag_id: str, env: Mapping[str, str]) -> list[Path]:
    """Write every task attempt's log of one ``dags test`` run; returns the files written.

    A file that already exists (a run by the scheduler) is left alone.
    """
    written = []
    folder = base_log_folder(env)
    for log in split_task_logs(output, dag_id):
        path = folder / log.relative_path(dag_id)
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        timestamp = None
        records = []
        for line in log.lines:
            record = structured(line, timestamp)
            timestamp = record.get("timestamp", timestamp)
            records.append(json.dumps(record, ensure_ascii=False))
        path.write_text("\n".join(records) + "\n", encoding="utf-8")
        written.append(path)
    return written
