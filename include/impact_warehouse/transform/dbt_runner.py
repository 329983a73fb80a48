"""Run dbt in process: the one place that knows the project, the profile and the paths.

dbt reads the landing folder and the DuckDB file from environment variables
(``IMPACT_LANDING_DIR``, ``IMPACT_WAREHOUSE_PATH``; see ``dbt_project/profiles.yml`` and the
``_<source>__sources.yml`` files). ``run_dbt`` sets them for the duration of one invocation,
points dbt at this repository's ``dbt_project/`` and turns a failed run into a
``DbtRunError`` that names the failed nodes.

The seeds are the organisation's catalog (``settings.catalog``), staged for dbt by
:mod:`.catalog_seeds` and named to it through ``IMPACT_DBT_SEED_PATH``.

dbt saves its parse of the project in the target folder and re-uses it on the next run in
that folder (partial parsing). A new work folder would parse in full (7 s on demo data), so
the runner also keeps the last parse of each build set-up in a cache shared by the work
folders of the checkout (``IMPACT_DBT_PARSE_CACHE``, see :mod:`.parse_cache`), and a target
folder without a parse starts from it. dbt checks a saved parse against the project's files,
the profile and the variables itself, and parses in full when anything differs; for the
profile to match across folders the DuckDB file is named relative to its own folder, which
is the working directory while dbt runs.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from impact_warehouse.settings import Settings
from impact_warehouse.transform import dbt_artifacts, parse_cache
from impact_warehouse.transform.catalog_seeds import DBT_PROJECT_DIR, seed_path_for
from impact_warehouse.transform.model_computations import model_workers

if TYPE_CHECKING:
    from dbt.cli.main import dbtRunnerResult

log = logging.getLogger(__name__)

LANDING_ENV = "IMPACT_LANDING_DIR"
WAREHOUSE_ENV = "IMPACT_WAREHOUSE_PATH"
SEED_PATH_ENV = "IMPACT_DBT_SEED_PATH"
THREADS_ENV = "IMPACT_DBT_THREADS"
LOG_LEVEL_ENV = "IMPACT_DBT_LOG_LEVEL_FILE"
# The production build (pipeline.release.build_audit_warehouse): models, seeds and data tests.
# Unit tests are tests of the SQL, not of the data: the same code gives the same result on
# every build, so they run in the test suite (every `run_dbt(["build"])` there, and the
# PostgreSQL engine test) and in `impact build`, not in every release.
PARTIAL_PARSE_FILE = "partial_parse.msgpack"  # dbt's saved parse, in the target folder
PRODUCTION_BUILD = ("build", "--exclude-resource-type", "unit_test")
FAILED_STATUSES = frozenset({"error", "fail", "runtime error"})
# profiles.yml outputs that are DuckDB files (None: the profile's default target, audit).
DUCKDB_TARGETS = frozenset({None, "audit"})

# dbt keeps process-wide state (flags, adapters, event manager) and reads env vars from
# os.environ, so two invocations in one process must not overlap. DuckDB has a single
# writer anyway (ARCHITECTURE.md: one dbt build at a time).
_DBT_LOCK = threading.Lock()


@dataclass(frozen=True)
class NodeFailure:
    unique_id: str
    status: str
    message: str

    def __str__(self) -> str:
        first_line = (self.message or "").strip().splitlines()
        return f"{self.unique_id} [{self.status}]" + (f": {first_line[0]}" if first_line else "")


class DbtRunError(RuntimeError):
    """dbt failed: the command, the failed nodes (if any) and the error dbt raised."""

    def __init__(
        self,
        command: list[str],
        failures: list[NodeFailure],
        *,
        skipped: int = 0,
        cause: BaseException | None = None,
        target_path: Path | None = None,
        warehouse: Path | None = None,
    ) -> None:
        self.command = command
        self.failures = failures
        self.skipped = skipped
        self.cause = cause
        lines = [f"dbt {' '.join(command)} failed"]
        if failures:
            lines.append(f"{len(failures)} failed node(s):")
            lines.extend(f"  - {failure}" for failure in failures)
        if skipped:
            lines.append(f"{skipped} node(s) skipped because of upstream failures")
        if cause is not None:
            lines.append(f"dbt raised {type(cause).__name__}: {cause}")
        if warehouse is not None:
            # Each organisation's work folder has its own audit.duckdb; a failed node names
            # no file, and the profile names it without its folder (see profile_warehouse_path).
            lines.append(f"warehouse: {warehouse}")
        if target_path is not None:
            lines.append(f"details: {target_path / 'logs' / 'dbt.log'}")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class DbtRun:
    """A successful invocation: what dbt returned, where it wrote, and node outcomes."""

    command: list[str]
    result: Any  # dbtRunnerResult.result: RunExecutionResult, CatalogArtifact, Manifest, …
    duckdb_path: Path
    target_path: Path
    elapsed_seconds: float
    node_statuses: dict[str, str] = field(default_factory=dict)  # unique_id → status


def run_dbt(
    args: list[str],
    settings: Settings,
    *,
    target_path: Path | None = None,
    duckdb_path: Path | None = None,
    landing_dir: Path | None = None,
    vars: Mapping[str, Any] | None = None,
    profile_target: str | None = None,
    environment: Mapping[str, str] | None = None,
    project_dir: Path | None = None,
    catalog_dir: Path | None = None,
    write_manifest: bool = True,
) -> DbtRun:
    """Invoke dbt (e.g. ``["build"]``, ``["seed"]``, ``["docs", "generate"]``) on the project.

    Defaults come from ``settings``: the landing folder, the DuckDB file
    (``settings.audit_warehouse``) and ``<work>/dbt/target`` for dbt's artifacts and log; the
    catalog is staged for dbt under ``<work>/dbt``.
    ``profile_target`` picks a ``profiles.yml`` output (default ``audit``, DuckDB;
    ``postgres`` reads ``IMPACT_PG_*``, which ``environment`` can set for this invocation).
    ``project_dir`` builds another copy of ``dbt_project/``. ``catalog_dir`` (default
    ``settings.catalog``) is the folder dbt seeds the catalog from. ``write_manifest`` False:
    the target folder gets the run's result file and no manifest (:mod:`.dbt_artifacts`).
    Raises ``DbtRunError`` when dbt fails.
    """
    project = (project_dir or DBT_PROJECT_DIR).resolve()
    seed_path = seed_path_for(catalog_dir or settings.catalog, settings.work / "dbt", project)
    landing = (landing_dir or settings.landing).resolve()
    database = (duckdb_path or settings.audit_warehouse).resolve()
    target = (target_path or settings.work / "dbt" / "target").resolve()
    database.parent.mkdir(parents=True, exist_ok=True)
    target.mkdir(parents=True, exist_ok=True)

    command = _dbt_command(args, project, target, vars=vars, profile_target=profile_target)
    if not write_manifest:
        command.append(dbt_artifacts.NO_WRITE_JSON)
        dbt_artifacts.remove_earlier_artifacts(target, args)
    log.info("dbt %s (landing %s, warehouse %s)", " ".join(args), landing, database)
    started = time.monotonic()
    warehouse_path, working_dir = profile_warehouse_path(database, profile_target)
    variables = {
        **(environment or {}),
        LANDING_ENV: str(landing),
        WAREHOUSE_ENV: warehouse_path,
        SEED_PATH_ENV: seed_path,
        THREADS_ENV: str(dbt_threads()),
    }
    saved_parse = parse_cache.entry_for(
        project=project,
        profile_target=profile_target,
        database_name=database.name,
        seed_path=seed_path,
        vars=vars,
    )
    outcome = _invoke(
        command,
        target,
        variables,
        working_dir=working_dir,
        saved_parse=saved_parse,
        # DuckDB runs the Python models in dbt's process: their computations go to workers.
        model_computations_in_workers=(
            profile_target in DUCKDB_TARGETS and args[:1] in (["build"], ["run"])
        ),
    )
    elapsed = time.monotonic() - started
    if not write_manifest and outcome.result is not None:
        dbt_artifacts.write_result_file(outcome.result, target)

    statuses = _node_statuses(outcome.result)
    if not outcome.success:
        raise DbtRunError(
            args,
            _failures(outcome.result),
            skipped=sum(1 for status in statuses.values() if status == "skipped"),
            cause=outcome.exception,
            target_path=target,
            warehouse=database if profile_target in DUCKDB_TARGETS else None,
        )
    for unique_id, status in statuses.items():
        if status == "warn":
            log.warning("dbt warning: %s", unique_id)
    log.info("dbt %s succeeded in %.1f s (%d nodes)", " ".join(args), elapsed, len(statuses))
    return DbtRun(args, outcome.result, database, target, elapsed, statuses)


def profile_warehouse_path(database: Path, profile_target: str | None) -> tuple[str, Path | None]:
    """The DuckDB file as the profile names it, and the working directory dbt runs in.

    dbt hashes the profile's connection details into its saved parse: a file named relative to
    its own folder, with that folder as the working directory, is the same name in every work
    folder, so a parse saved in one is valid in another (parse_cache). A name DuckDB would read
    as something else than a local file (``md:…``, ``:memory:``, any ``scheme:``, or
    ``~…``, which DuckDB expands to the home folder) keeps its absolute path, as do the
    targets that are no DuckDB file.
    """
    name = database.name
    if profile_target not in DUCKDB_TARGETS or ":" in name or name.startswith("~"):
        return str(database), None
    return name, database.parent


def _dbt_command(
    args: list[str],
    project: Path,
    target: Path,
    *,
    vars: Mapping[str, Any] | None,
    profile_target: str | None,
) -> list[str]:
    command = [
        *args,
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target-path",
        str(target),
        "--log-path",
        str(target / "logs"),
        # Progress goes to this module's logger (below); dbt's own console output would
        # repeat it. Errors still reach stderr, and logs/dbt.log has every node's outcome.
        "--quiet",
        # dbt's debug lines (every statement it sends, about 40,000 lines a build) go through
        # one locked file handler: the threads queue on it for about a sixth of the build.
        # IMPACT_DBT_LOG_LEVEL_FILE=debug brings them back when a build needs a closer look.
        "--log-level-file",
        os.environ.get(LOG_LEVEL_ENV, "info"),
    ]
    if vars:
        command += ["--vars", json.dumps(dict(vars))]
    if profile_target:
        command += ["--target", profile_target]
    return command


def _invoke(
    command: list[str],
    target: Path,
    variables: Mapping[str, str],
    *,
    working_dir: Path | None = None,
    saved_parse: Path | None = None,
    model_computations_in_workers: bool = False,
) -> dbtRunnerResult:
    """Run dbt in this process, one invocation at a time, with ``variables`` set for it and
    ``working_dir`` as the working directory; a target folder without a saved parse starts
    from ``saved_parse`` (the shared cache's entry), and the parse dbt saves goes back there.
    ``model_computations_in_workers``: the Python models' computations go to worker processes
    (transform/model_computations.py) for this invocation alone."""
    with (
        _DBT_LOCK,
        model_workers(enabled=model_computations_in_workers) as start,
        _environment(variables),
        _working_directory(working_dir),
    ):
        # The workers start when dbt's nodes do: their imports would slow dbt's own start-up.
        progress = _ProgressLogger(on_nodes_starting=start)
        # Imported here, not at the top: dbt takes 1.6 s to import, and most processes that
        # import this module (a report, a release listing, the gate) only want its names.
        from dbt.cli.main import dbtRunner

        if saved_parse is not None:
            parse_cache.restore(saved_parse, target / PARTIAL_PARSE_FILE)
        saved_parse_found = (target / PARTIAL_PARSE_FILE).is_file()
        before = parse_cache.signature(target / PARTIAL_PARSE_FILE)
        try:
            outcome: dbtRunnerResult = dbtRunner(callbacks=[progress]).invoke(command)
            if saved_parse_found and _failed_before_any_node(outcome):
                # dbt 1.11's partial parsing loses an enabled model when its disabled twin of
                # the same name (marts/postgres, marts/spark) was edited ("… depends on …
                # which is not in the graph" / "… which is disabled"). Nothing has run yet:
                # parse the project whole; a real error fails again and is reported.
                log.warning(
                    "dbt failed on its saved parse (%s); parsing in full", outcome.exception
                )
                outcome = dbtRunner(callbacks=[progress]).invoke([*command, "--no-partial-parse"])
        finally:
            _release_duckdb_file()
        if saved_parse is not None:
            parse_cache.keep(target / PARTIAL_PARSE_FILE, saved_parse, before=before)
    return outcome


def _failed_before_any_node(outcome: dbtRunnerResult) -> bool:
    """dbt failed while parsing or building its graph, before any node ran."""
    return not outcome.success and outcome.result is None and outcome.exception is not None


def dbt_threads() -> int:
    """dbt threads for this machine: ``IMPACT_DBT_THREADS``, else two per core (at most 8).

    A dbt thread spends most of its time waiting on the database (DuckDB runs each query on
    every core itself), so two per core keep the cores busy without queueing on one writer.
    """
    configured = os.environ.get(THREADS_ENV, "").strip()
    if not configured:
        return max(1, min(8, 2 * (os.cpu_count() or 1)))
    if not configured.isascii() or not configured.isdigit() or not 1 <= int(configured) <= 64:
        raise ValueError(f"{THREADS_ENV}={configured!r}: a whole number of threads, 1 to 64")
    return int(configured)


class _ProgressLogger:
    """dbt event callback: one log line per finished node, plus dbt's summary line; and
    ``on_nodes_starting`` called once dbt has parsed and begins to run its nodes."""

    def __init__(self, on_nodes_starting: Callable[[], None] = lambda: None) -> None:
        self._on_nodes_starting = on_nodes_starting

    def __call__(self, event: Any) -> None:
        name = event.info.name
        if name == "ConcurrencyLine":  # "Concurrency: N threads", just before the first node
            self._on_nodes_starting()
        elif name == "NodeFinished":
            run_result = event.data.run_result
            log.info(
                "dbt %s %s (%.2f s)",
                event.data.node_info.unique_id,
                run_result.status,
                run_result.execution_time,
            )
        elif name == "StatsLine":
            log.info("dbt %s", event.info.msg)


def _results(result: Any) -> list[Any]:
    return list(getattr(result, "results", None) or [])


def _node_statuses(result: Any) -> dict[str, str]:
    """Status of every node the run built or tested. Exposures (the report and the analyst
    queries, models/_exposures.yml) are listed by dbt as "no-op": they build nothing."""
    return {
        item.node.unique_id: str(item.status)
        for item in _results(result)
        if not item.node.unique_id.startswith("exposure.")
    }


def _failures(result: Any) -> list[NodeFailure]:
    return [
        NodeFailure(item.node.unique_id, str(item.status), item.message or "")
        for item in _results(result)
        if str(item.status) in FAILED_STATUSES
    ]


def _release_duckdb_file() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process after a run.

    dbt-duckdb caches one database instance per process (``DuckDBConnectionManager._ENV``)
    and keeps it open after the invocation, so the published-file swap, a read-only reader
    or a run with another DuckDB file in the same process would fail with "Can't open a
    connection to same database file with a different configuration".
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        DuckDBConnectionManager.close_all_connections()
        close = getattr(environment, "close", None)
        if close is not None:
            close()


@contextmanager
def _working_directory(folder: Path | None) -> Iterator[None]:
    """``folder`` as the process's working directory for the block (None: unchanged).

    Process-wide, like the environment dbt reads: held only under ``_DBT_LOCK``, and every
    path this package hands dbt or opens itself is absolute.
    """
    if folder is None:
        yield
        return
    try:
        previous: str | None = os.getcwd()
    except FileNotFoundError:  # the working directory was removed: nowhere to go back to
        previous = None
    os.chdir(folder)
    try:
        yield
    finally:
        if previous is not None:
            try:
                os.chdir(previous)
            except OSError as error:  # removed meanwhile: the build's result still stands
                log.warning("could not return to the working directory %s: %s", previous, error)


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, previous in saved.items():
            if previous is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = previous
