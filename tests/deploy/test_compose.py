"""docker-compose.yml, checked without a Docker engine: structure, wiring and secrets.

There is no Docker on these machines (ARCHITECTURE.md), so the file is parsed with PyYAML and
checked against what the project and the installed Airflow expect: the services and their
commands, health checks, start order, the executor and metadata database, that every secret
comes from `.env` (documented in `.env.example`, which itself holds no secret), and that the
mounts point at folders that exist and at the paths the package resolves.
"""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest
import yaml

from impact_warehouse.orchestration.airflow_env import RESOURCE_TRACKER_WARNING
from impact_warehouse.orchestration.airflow_support import DUCKDB_WRITER_POOL
from impact_warehouse.settings import PROJECT_ROOT

COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
AIRFLOW_SERVICES = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
}
INIT_SERVICE = "airflow-init"
CONTAINER_ROOT = "/opt/airflow"  # settings.PROJECT_ROOT inside the containers
PROJECT_FOLDERS = ("dags", "include", "dbt_project", "expectations")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|FERNET|PSEUDONYM_KEY|WEBHOOK_URL")
# ${NAME}, ${NAME:-default}, ${NAME:?error}; `$${...}` is escaped for the container's shell.
REFERENCE = re.compile(r"(?<!\$)\$\{(?P<name>[A-Z0-9_]+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")
WHOLE_REFERENCE = re.compile(r"^\$\{[A-Z0-9_]+(?::?[-?][^}]*)?\}$")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


def documented_variables() -> dict[str, str]:
    """``NAME=value`` lines of .env.example."""
    variables = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            variables[name.strip()] = value.strip()
    return variables


def resolve(text: str, env: dict[str, str]) -> str:
    """Compose's interpolation for the forms this file uses (``:-`` default, ``:?`` required)."""

    def substitute(match: re.Match[str]) -> str:
        value = env.get(match["name"], "")
        if not value and match["op"] == ":?":
            raise KeyError(f"{match['name']} is required: {match['arg']}")
        return value or (match["arg"] if match["op"] == ":-" else "")

    return REFERENCE.sub(substitute, text).replace("$$", "$")


def command_text(service: dict[str, Any]) -> str:
    command = service.get("command", "")
    return command if isinstance(command, str) else "\n".join(command)


def strings_in(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [text for value in node.values() for text in strings_in(value)]
    if isinstance(node, list):
        return [text for value in node for text in strings_in(value)]
    return []


def test_the_services_and_their_commands(services: dict[str, Any]) -> None:
    assert set(services) == {"postgres", INIT_SERVICE, *AIRFLOW_SERVICES}
    for name, command in AIRFLOW_SERVICES.items():
        assert command_text(services[name]) == command, name
    assert services["postgres"]["image"].startswith("postgres:")


def test_the_image_is_airflow_3_3_2_on_python_3_11_with_the_project_installed(
    compose: dict[str, Any], services: dict[str, Any]
) -> None:
    build = services["airflow-scheduler"]["build"]
    dockerfile = PROJECT_ROOT / build["context"] / build["dockerfile"]
    text = dockerfile.read_text(encoding="utf-8")
    base = re.search(r"^FROM\s+(\S+)", text, re.MULTILINE)
    assert base is not None and base.group(1) == "apache/airflow:3.3.2-python3.11"
    # The image's Airflow must be the one the project pins and tests against.
    requirements = (PROJECT_ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert "apache-airflow==3.3.2" in requirements.split()
    assert re.search(r"pip install .*-r \S*requirements\.txt -c \S*constraints\.txt", text)
    # No top-level deploy folder: the Dockerfile lives under include/.
    assert dockerfile.is_relative_to(PROJECT_ROOT / "include")
    for name in (*AIRFLOW_SERVICES, INIT_SERVICE):
        assert services[name]["image"] == services["airflow-scheduler"]["image"]


def test_the_init_service_migrates_creates_the_pool_and_the_admin_from_env(
    services: dict[str, Any],
) -> None:
    init = services[INIT_SERVICE]
    script = command_text(init)
    assert "set -euo pipefail" in script  # a failed step must fail the service
    assert re.search(r"airflow db migrate", script)
    assert re.search(rf"airflow pools set {DUCKDB_WRITER_POOL} 1 ", script)
    create = re.search(r"airflow users create(.*?)(?:\n\S|\Z)", script, re.DOTALL)
    assert create is not None and "--role Admin" in create.group(1)
    # Username and password are read from the container environment at run time ...
    assert '--username "$${AIRFLOW_ADMIN_USERNAME}"' in create.group(1)
    assert '--password "$${AIRFLOW_ADMIN_PASSWORD}"' in create.group(1)
    # ... which gets them from .env, with no default: compose refuses to start without them.
    environment = init["environment"]
    for variable in ("AIRFLOW_ADMIN_USERNAME", "AIRFLOW_ADMIN_PASSWORD"):
        assert re.fullmatch(rf"\$\{{{variable}:\?[^}}]+\}}", environment[variable]), variable
    assert init.get("restart") == "no"
    assert init["user"] == "0:0"  # to hand the work volume to AIRFLOW_UID


def test_every_long_running_service_has_a_health_check(services: dict[str, Any]) -> None:
    from airflow.configuration import conf

    for name in ("postgres", *AIRFLOW_SERVICES):
        check = services[name].get("healthcheck")
        assert check and check["test"][0] in ("CMD", "CMD-SHELL"), name
        assert {"interval", "timeout", "retries"} <= set(check), name
    tests = {
        name: " ".join(services[name]["healthcheck"]["test"])
        for name in services
        if name != INIT_SERVICE
    }
    assert "pg_isready" in tests["postgres"]
    assert "/api/v2/monitor/health" in tests["airflow-apiserver"]
    port = conf.get("scheduler", "scheduler_health_check_server_port")
    assert f"localhost:{port}/health" in tests["airflow-scheduler"]
    assert "--job-type DagProcessorJob" in tests["airflow-dag-processor"]
    assert "--job-type TriggererJob" in tests["airflow-triggerer"]
    scheduler_env = services["airflow-scheduler"]["environment"]
    assert scheduler_env["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"] == "true"


def test_start_order_waits_for_health_and_for_init(services: dict[str, Any]) -> None:
    init_needs = services[INIT_SERVICE]["depends_on"]
    assert init_needs == {"postgres": {"condition": "service_healthy"}}
    for name in AIRFLOW_SERVICES:
        needs = services[name]["depends_on"]
        assert needs["postgres"] == {"condition": "service_healthy"}, name
        assert needs[INIT_SERVICE] == {"condition": "service_completed_successfully"}, name
    # LocalExecutor tasks run in the scheduler container and report to the API server.
    needs = services["airflow-scheduler"]["depends_on"]
    assert needs["airflow-apiserver"] == {"condition": "service_healthy"}


def test_airflow_runs_local_executor_on_postgres(services: dict[str, Any]) -> None:
    env_file = {name: "x" for name in documented_variables()}
    for name in (*AIRFLOW_SERVICES, INIT_SERVICE):
        environment = services[name]["environment"]
        assert environment["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor", name
        connection = resolve(environment["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], env_file)
        assert re.fullmatch(r"postgresql\+psycopg2://x:x@postgres:5432/x", connection), name
        assert environment["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == (
            "http://airflow-apiserver:8080/execution/"
        )
        assert environment["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"
        assert "fab_auth_manager.FabAuthManager" in environment["AIRFLOW__CORE__AUTH_MANAGER"]
        # Same as the embedded Airflow: no resource_tracker ERROR line in task logs.
        assert environment["PYTHONWARNINGS"] == RESOURCE_TRACKER_WARNING, name
    postgres = services["postgres"]["environment"]
    assert resolve(postgres["POSTGRES_USER"], {}) == "airflow"


def test_secrets_come_only_from_env_and_are_required_where_nothing_works_without_them(
    services: dict[str, Any],
) -> None:
    for name, service in services.items():
        for variable, value in service.get("environment", {}).items():
            if SECRET_NAME.search(variable):
                assert WHOLE_REFERENCE.match(str(value)), f"{name}: {variable} is not ${{VAR}}"
    common = services["airflow-scheduler"]["environment"]
    for variable in (
        "AIRFLOW__CORE__FERNET_KEY",
        "AIRFLOW__API_AUTH__JWT_SECRET",
        "AIRFLOW__API__SECRET_KEY",
        "IMPACT_PSEUDONYM_KEY",
    ):
        assert ":?" in common[variable], f"{variable} must be required, not defaulted"
    with pytest.raises(KeyError, match="POSTGRES_PASSWORD"):
        resolve(common["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], {})


def test_no_literal_password_anywhere_in_the_file(compose: dict[str, Any]) -> None:
    for text in strings_in(compose):
        for credentials in re.findall(r"://([^/@\s]+)@", text):
            assert "${" in credentials.partition(":")[2], f"literal credentials in {text!r}"
    for line in COMPOSE_FILE.read_text(encoding="utf-8").splitlines():
        if not line.lstrip().startswith("#"):
            assert not re.search(r"(?i)password[\"']?\s*[:=]\s*[\"']?(?!\$)\w", line), line


def test_every_variable_is_documented_and_env_example_holds_no_secret() -> None:
    documented = documented_variables()
    referenced = {match["name"] for match in REFERENCE.finditer(COMPOSE_FILE.read_text())}
    assert referenced - set(documented) == set(), "document these in .env.example"
    comments = ENV_EXAMPLE.read_text(encoding="utf-8")
    for variable, value in documented.items():
        if SECRET_NAME.search(variable):
            assert value == "", f".env.example must not hold a value for {variable}"
        # Each variable has a comment in its section, not just a bare line.
        assert re.search(rf"#.*\n(?:.*\n)*?{variable}=", comments), variable


def test_env_is_ignored_by_git_and_the_example_is_not() -> None:
    def ignored(path: str) -> bool:
        result = subprocess.run(
            ["git", "check-ignore", "--quiet", "--no-index", path], cwd=PROJECT_ROOT, check=False
        )
        return result.returncode == 0

    assert ignored(".env")
    assert not ignored(".env.example")


def test_the_project_folders_and_the_work_volume_are_mounted_where_the_package_looks(
    compose: dict[str, Any], services: dict[str, Any]
) -> None:
    declared_volumes = set(compose["volumes"])
    for name in (*AIRFLOW_SERVICES, INIT_SERVICE):
        mounts = {}
        for entry in services[name]["volumes"]:
            source, target, *_ = resolve(entry, {}).split(":")
            mounts[target] = source
        for folder in PROJECT_FOLDERS:
            source = mounts[f"{CONTAINER_ROOT}/{folder}"]
            assert (PROJECT_ROOT / source).resolve() == PROJECT_ROOT / folder, name
            assert (PROJECT_ROOT / folder).is_dir()
        work_target = services[name]["environment"]["IMPACT_WORK_DIR"]
        assert work_target == f"{CONTAINER_ROOT}/.work"
        assert mounts[work_target] in declared_volumes  # named volume unless bound on purpose
        assert mounts[f"{CONTAINER_ROOT}/logs"] in declared_volumes
        environment = services[name]["environment"]
        assert environment["PYTHONPATH"] == f"{CONTAINER_ROOT}/include"
        assert environment["AIRFLOW__CORE__DAGS_FOLDER"] == f"{CONTAINER_ROOT}/dags"
    postgres_source = services["postgres"]["volumes"][0].split(":")[0]
    assert postgres_source in declared_volumes
    # The package finds dags/, dbt_project/, expectations/ two levels above itself.
    package = PROJECT_ROOT / "include" / "impact_warehouse"
    assert package.parents[1] == PROJECT_ROOT
