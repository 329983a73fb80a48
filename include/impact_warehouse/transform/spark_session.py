"""The in-process SparkSession that ``dbt --target spark`` (dbt-spark, ``method: session``) uses.

dbt-spark's session connection calls ``SparkSession.builder.enableHiveSupport().getOrCreate()``
for every statement, so the session created here first, in the same process, is the one dbt
runs on. It is configured so the same dbt project gives the same tables as on DuckDB:

- master from ``IMPACT_SPARK_MASTER`` (default ``local[2]``; the tests use
  ``local-cluster[2,1,1024]``, real executor processes); ``SPARK_LOCAL_IP`` defaults to
  ``127.0.0.1`` so a machine without a resolvable host name still starts;
- the table files (``spark.sql.warehouse.dir``) and the Derby metastore under
  ``<work>/spark/`` (the Hive catalog the schemas ``catalog``, ``staging`` … live in);
- session time zone UTC and ``timestamp`` meaning TIMESTAMP_NTZ (DuckDB's timestamp without
  time zone: a UTC wall-clock time, read back unshifted);
- executors run Python with this interpreter (``sys.executable``), so the statistics'
  Python UDTFs import ``impact_warehouse`` and its pinned libraries there too.

Then, when ``impact_warehouse.transform.spark_functions`` exists, its ``register(session)``
registers the functions the statistics models select from.
"""

from __future__ import annotations

import importlib
import logging
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MASTER_ENV = "IMPACT_SPARK_MASTER"
DEFAULT_MASTER = "local[2]"
APP_NAME = "impact_warehouse"
FUNCTIONS_MODULE = "impact_warehouse.transform.spark_functions"
# spark__read_landing_source reads each landing glob together with this empty file, so a
# source with nothing landed yet is an empty relation instead of Spark's "path not found".
EMPTY_PART_ENV = "IMPACT_SPARK_EMPTY_PART"
# What the models' results depend on; set again when an existing session is reused.
RUNTIME_SETTINGS = ("spark.sql.session.timeZone", "spark.sql.timestampType")


class JavaNotFoundError(RuntimeError):
    """Spark needs a Java runtime (17+); the message says how to get one."""


def java_executable(environ: Mapping[str, str] | None = None) -> str | None:
    """``$JAVA_HOME/bin/java`` when set, else ``java`` on the PATH, else None."""
    environ = os.environ if environ is None else environ
    java_home = environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    return shutil.which("java")


def spark_dir(work: Path) -> Path:
    """``<work>/spark``: the warehouse (table files) and the Derby metastore."""
    return work.resolve() / "spark"


def empty_part(spark_root: Path) -> Path:
    """An empty JSON-lines part file (created if missing) under ``<work>/spark``."""
    path = spark_root / "empty" / "part-empty.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    return path


def log_config(spark_root: Path) -> Path:
    """A log4j2 configuration that keeps Spark's own log to errors (dbt logs the progress)."""
    path = spark_root / "log4j2.properties"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "rootLogger.level = error\n"
        "rootLogger.appenderRef.stderr.ref = console\n"
        "appender.console.type = Console\n"
        "appender.console.name = console\n"
        "appender.console.target = SYSTEM_ERR\n"
        "appender.console.layout.type = PatternLayout\n"
        "appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n\n",
        encoding="utf-8",
    )
    return path


def session_config(
    spark_root: Path, master: str, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The SparkSession settings (also what a real cluster's profile should match)."""
    warehouse = spark_root / "warehouse"
    metastore = spark_root / "metastore"
    java_options = (
        f"-Dderby.system.home={metastore} -Dlog4j2.configurationFile=file:{log_config(spark_root)}"
    )
    return {
        "spark.master": master,
        "spark.app.name": APP_NAME,
        "spark.sql.warehouse.dir": str(warehouse),
        "spark.sql.catalogImplementation": "hive",
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={metastore / 'metastore_db'};create=true"
        ),
        "spark.driver.extraJavaOptions": java_options,
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.timestampType": "TIMESTAMP_NTZ",
        # Two cores, small data: a few shuffle partitions instead of 200 per query.
        "spark.sql.shuffle.partitions": "4",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.pyspark.python": sys.executable,
        "spark.pyspark.driver.python": sys.executable,
        "spark.executorEnv.PYTHONPATH": os.pathsep.join(sys.path),
        # Catalog labels are text: without this, "${env:SECRET}" in a seed value would be
        # replaced by the environment variable's value (Spark's variable substitution).
        "spark.sql.variable.substitute": "false",
        **(extra or {}),
    }


# Settings fixed when a session starts: a reused session must already have them.
STATIC_SETTINGS = (
    "spark.sql.warehouse.dir",
    "spark.hadoop.javax.jdo.option.ConnectionURL",
    "spark.sql.variable.substitute",
)


def _same_static(session: Any, wanted: Mapping[str, str]) -> bool:
    configured = session.sparkContext.getConf()
    return all(
        _as_local_path(configured.get(key)) == _as_local_path(wanted[key])
        for key in STATIC_SETTINGS
    )


def _as_local_path(value: str | None) -> str | None:
    """Spark keeps the warehouse folder as a URI ("file:/…"); the settings give a path."""
    if value is not None and value.startswith("file:"):
        return "/" + value.removeprefix("file:").lstrip("/")
    return value


def get_session(
    *,
    master: str | None = None,
    work: Path,
    extra: Mapping[str, str] | None = None,
) -> Any:
    """The process's SparkSession, created with ``session_config`` if none is running."""
    java = java_executable()
    if java is None:
        raise JavaNotFoundError(
            "Spark needs Java 17: install it (Debian: apt-get install openjdk-17-jre-headless, "
            "which `make test` does through include/install_system_packages.sh) or set JAVA_HOME"
        )
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # Executors' Python workers: the same interpreter and package path as this process.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    root = spark_dir(work)
    os.environ[EMPTY_PART_ENV] = str(empty_part(root))
    active = SparkSession.getActiveSession()
    if active is not None:
        wanted = session_config(root, master or active.sparkContext.master, extra)
        if (master is None or active.sparkContext.master == master) and _same_static(
            active, wanted
        ):
            for key in RUNTIME_SETTINGS:
                active.conf.set(key, wanted[key])
            register_functions(active)
            return active
        # Another master, warehouse or metastore (e.g. a test's plain local session, or a
        # build into another work folder): those are fixed when a session starts, so this
        # process gets a new session rather than writing into the other one's tables.
        active.stop()
    (root / "metastore").mkdir(parents=True, exist_ok=True)
    master = master or os.environ.get(MASTER_ENV) or DEFAULT_MASTER
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in session_config(root, master, extra).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    log.info("SparkSession %s (warehouse %s)", master, root / "warehouse")
    register_functions(session)
    return session


def register_functions(session: Any) -> bool:
    """``spark_functions.register(session)`` when that module exists; True if it ran."""
    try:
        module = importlib.import_module(FUNCTIONS_MODULE)
    except ModuleNotFoundError as error:
        if error.name != FUNCTIONS_MODULE:
            raise
        log.info("no %s: the statistics functions are not registered", FUNCTIONS_MODULE)
        return False
    module.register(session)
    return True


def stop_session() -> None:
    """Stop the process's SparkSession (its executors and the metastore connection)."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()
