"""Test session setup: an isolated work folder and embedded Airflow for the whole run.

Set before anything imports Airflow or reads settings, so no test touches the developer's
own ``.work/`` folder. Each pytest-xdist worker is its own session: its own work folder,
Airflow home and session builds.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

# pytest-xdist's workers run under `python -c`, so their main module has no file. pyspark
# (installed for the Spark engine) takes such a process for its own doctest runner and exits
# it (status 0, "Skipping doctests") when Great Expectations imports its Spark Connect
# module. A name for the worker's main module keeps the worker alive.
_MAIN = sys.modules["__main__"]
if _MAIN.__spec__ is None and not hasattr(_MAIN, "__file__"):
    _MAIN.__file__ = "<pytest-xdist worker>"

_SESSION_WORK = Path(tempfile.mkdtemp(prefix="impact-tests-"))
os.environ["IMPACT_WORK_DIR"] = str(_SESSION_WORK)
# dbt's saved parses (transform/parse_cache.py), shared by this run's workers, not the
# developer's own cache in .work/ (the test copies of the project would crowd it out).
_RUN = os.environ.get("PYTEST_XDIST_TESTRUNUID")
os.environ.setdefault(
    "IMPACT_DBT_PARSE_CACHE",
    str(
        Path(tempfile.gettempdir()) / f"impact-tests-dbt-parse-{_RUN}"
        if _RUN
        else _SESSION_WORK / "dbt_parse_cache"
    ),
)
os.environ.setdefault("IMPACT_PSEUDONYM_KEY", "test-key-not-secret-but-32-bytes-long")

from impact_warehouse.orchestration.airflow_env import airflow_environment  # noqa: E402

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


# -- the demo warehouse: landed and built once per seed per test run -----------------------
# Landing and building take ~40 s; transform, report and analyst tests all read these builds.

from collections.abc import Callable  # noqa: E402
from datetime import date  # noqa: E402
from functools import partial  # noqa: E402
from typing import Any  # noqa: E402

from impact_warehouse.catalog import load_catalog  # noqa: E402
from impact_warehouse.demo.forms_api_server import FormsApiServer  # noqa: E402
from impact_warehouse.demo.generator import generate_demo_sources  # noqa: E402
from impact_warehouse.pipeline import ingest  # noqa: E402
from impact_warehouse.settings import Settings, paths  # noqa: E402
from impact_warehouse.sources.google_forms import FormsApiConfig  # noqa: E402
from impact_warehouse.transform.dbt_runner import DbtRun, run_dbt  # noqa: E402
from shared_builds import built_once, dbt_run_record, own_copy_of_run  # noqa: E402

DEMO_AS_OF = date(2026, 11, 23)
_TOKEN = "transform-tests"


def land_demo(root: Path, *, seed: int, as_of: date = DEMO_AS_OF) -> Path:
    """Generate demo sources and land them through the real ingest; returns the landing dir."""
    generate_demo_sources(root / "sources", seed=seed, as_of=as_of)
    settings = Settings.for_work_dir(root / "work", root / "sources" / "inbox")
    waves = ingest.plan_form_waves(load_catalog(), as_of, as_of, as_of=as_of, all_waves=True)
    with FormsApiServer(root / "sources" / "google_forms", token=_TOKEN) as server:
        config = FormsApiConfig(base_url=server.url, token=_TOKEN, backoff_base_seconds=0.01)
        units = [*ingest.land_operations(settings), *ingest.land_panels(settings)]
        units += [ingest.land_form_wave(settings, wave, config) for wave in waves]
    ingest.finish_run(settings, f"demo-seed-{seed}", units)
    return settings.landing


@dataclass(frozen=True)
class DemoBuild:
    landing: Path
    run: DbtRun
    as_of: date = DEMO_AS_OF

    @property
    def database(self) -> Path:
        return self.run.duckdb_path


def build_warehouse(landing: Path, out: Path, name: str = "warehouse") -> DbtRun:
    database = out / f"{name}.duckdb"
    target = out / f"{name}-target"
    return run_dbt(
        ["build"], paths(), target_path=target, duckdb_path=database, landing_dir=landing
    )


@pytest.fixture(scope="session")
def demo_warehouse_for_seed(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[int], DemoBuild]:
    """Landing dir and dbt build of a demo seed, built once per test run (shared_builds.py):
    the landing is shared, the DuckDB file is this worker's own copy."""
    built: dict[int, DemoBuild] = {}

    def produce(seed: int, root: Path) -> dict[str, Any]:
        landing = land_demo(root, seed=seed)
        return {"landing": str(landing), "run": dbt_run_record(build_warehouse(landing, root))}

    def get(seed: int) -> DemoBuild:
        if seed not in built:
            name = f"demo-seed-{seed}"
            record = built_once(tmp_path_factory, name, partial(produce, seed))
            run = own_copy_of_run(record["run"], tmp_path_factory.mktemp(name))
            built[seed] = DemoBuild(Path(record["landing"]), run)
        return built[seed]

    return get


@pytest.fixture(scope="session")
def demo_warehouse_path(demo_warehouse_for_seed: Callable[[int], DemoBuild]) -> Path:
    """The warehouse built from the default demo seed (2025)."""
    return demo_warehouse_for_seed(2025).database


@pytest.fixture(scope="session")
def other_catalog_warehouse(
    demo_warehouse_for_seed: Callable[[int], DemoBuild], tmp_path_factory: pytest.TempPathFactory
) -> DemoBuild:
    """The demo landing built by a copy of the project with another catalog (other_catalog)."""
    from other_catalog import copy_project_with_other_catalog

    landing = demo_warehouse_for_seed(2025).landing
    root = tmp_path_factory.mktemp("other-catalog")
    project = copy_project_with_other_catalog(root / "dbt_project")
    run = run_dbt(
        ["build"],
        paths(),
        target_path=root / "target",
        duckdb_path=root / "warehouse.duckdb",
        landing_dir=landing,
        project_dir=project,
    )
    return DemoBuild(landing, run)


@pytest.fixture(scope="session")
def warehouse_builder() -> Callable[[Path, Path, str], DbtRun]:
    """Build the dbt project from a landing dir into a new DuckDB file."""
    return build_warehouse
