"""A throwaway PostgreSQL server for the tests and for trying the ``postgres`` dbt target.

Test-only: it lives beside the tests, not in the package that production installs.

``PostgresServer`` runs ``initdb`` into a fresh temporary folder, starts ``postgres`` on a
free loopback port (and a unix socket in the same folder), and removes everything on
``stop()``. PostgreSQL refuses to run as root, so under root (CI containers) the server runs
as the ``postgres`` OS user that the Debian package creates.

The server's PL/Python (``plpython3u``, Debian ``postgresql-plpython3-15``) imports this
project's Python environment (``PYTHONPATH`` = the running interpreter's site-packages and
the ``impact_warehouse`` package): ``fct_indicator_results`` computes its statistics there
with the same pinned scipy/statsmodels as the DuckDB build, so both engines give the same
numbers. A production server needs the same packages in the Python its PL/Python uses.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sysconfig
import tempfile
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import impact_warehouse
from impact_warehouse.transform.postgres_connection import PostgresConnection

POSTGRES_BIN_ENV = "IMPACT_PG_BIN"
DEFAULT_BIN_DIRS = (Path("/usr/lib/postgresql/15/bin"),)
SERVER_OS_USER = "postgres"
DATABASE = "impact"
SUPERUSER = "impact"

# Settings for a disposable test server: durability off (the data is rebuilt every time),
# UTC so timestamps read the same as in DuckDB, C collation so text sorts by bytes as DuckDB
# does (row_number() tie-breaks and ordered string_agg depend on it).
_SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "timezone": "'UTC'",
    "log_timezone": "'UTC'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "40",
}


class PostgresServerError(RuntimeError):
    """The server could not be set up, started or stopped; the message says what to fix."""


def find_postgres_bin() -> Path:
    """The folder holding initdb, pg_ctl and postgres (``IMPACT_PG_BIN`` or Debian's)."""
    configured = os.environ.get(POSTGRES_BIN_ENV)
    candidates = [Path(configured)] if configured else list(DEFAULT_BIN_DIRS)
    for candidate in candidates:
        if (candidate / "initdb").is_file() and (candidate / "pg_ctl").is_file():
            return candidate
    raise PostgresServerError(
        "PostgreSQL のサーバープログラムが見つかりません。"
        f" initdb/pg_ctl not found in {', '.join(map(str, candidates))}: install the Debian "
        f"package postgresql (make test does) or set {POSTGRES_BIN_ENV} to its bin folder"
    )


def project_python_path() -> str:
    """PYTHONPATH for the server's PL/Python: this interpreter's packages and ours."""
    package_root = Path(impact_warehouse.__file__).resolve().parent.parent
    entries = [str(package_root)]
    for key in ("purelib", "platlib"):
        entry = sysconfig.get_paths()[key]
        if entry not in entries:
            entries.append(entry)
    return os.pathsep.join(entries)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """Start with ``start()`` or ``with PostgresServer() as server:``; ``stop()`` removes it."""

    def __init__(self, *, bin_dir: Path | None = None, base_dir: Path | None = None) -> None:
        self.bin_dir = bin_dir or find_postgres_bin()
        self._base_dir = base_dir
        self.root: Path | None = None
        self.port: int | None = None
        self._os_user: pwd.struct_passwd | None = None
        self._started = False

    @property
    def data_dir(self) -> Path:
        return self._require_root() / "data"

    @property
    def log_file(self) -> Path:
        return self._require_root() / "server.log"

    @property
    def connection(self) -> PostgresConnection:
        if self.port is None:
            raise PostgresServerError("the PostgreSQL server has not been started")
        return PostgresConnection("127.0.0.1", self.port, SUPERUSER, "", DATABASE)

    def start(self) -> PostgresConnection:
        if self._started:
            return self.connection
        self._os_user = _server_os_user()
        # tempfile folders are 0700 and owned by the caller; the server's user needs its own.
        self.root = Path(tempfile.mkdtemp(prefix="impact-pg-", dir=self._base_dir))
        self.root.chmod(0o755)
        if self._os_user is not None:
            os.chown(self.root, self._os_user.pw_uid, self._os_user.pw_gid)
        self.port = _free_port()
        try:
            self._check_plpython_installed()
            python_path = self._python_path_for_server()
            self._run(
                "initdb",
                "--pgdata",
                str(self.data_dir),
                "--username",
                SUPERUSER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
                "--no-sync",
            )
            settings = {
                **_SERVER_SETTINGS,
                "port": str(self.port),
                "unix_socket_directories": f"'{self.root}'",
            }
            with (self.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
                conf.write("\n# impact_warehouse test server\n")
                conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
            self._run(
                "pg_ctl",
                "start",
                "--pgdata",
                str(self.data_dir),
                "--log",
                str(self.log_file),
                "--wait",
                "--timeout",
                "60",
                environment={"PYTHONPATH": python_path, "TZ": "UTC"},
            )
            self._started = True
            self._run(
                "createdb",
                "--host",
                str(self.root),
                "--port",
                str(self.port),
                "--username",
                SUPERUSER,
                DATABASE,
            )
        except BaseException:
            self.stop()
            raise
        return self.connection

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its folder; safe to call twice."""
        if self.root is None:
            return
        try:
            if self._started and (self.data_dir / "postmaster.pid").exists():
                self._run(
                    "pg_ctl", "stop", "--pgdata", str(self.data_dir), "--mode", "fast", "--wait"
                )
        finally:
            self._started = False
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None
            self.port = None

    def server_log(self) -> str:
        try:
            return self.log_file.read_text(encoding="utf-8", errors="replace")
        except (OSError, PostgresServerError):
            return ""

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _check_plpython_installed(self) -> None:
        """The dbt build creates plpython3u; say which package is missing before it fails."""
        sharedir = subprocess.run(
            [str(self.bin_dir / "pg_config"), "--sharedir"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        if not (Path(sharedir) / "extension" / "plpython3u.control").is_file():
            raise PostgresServerError(
                "PostgreSQL の PL/Python がインストールされていません。"
                f" plpython3u.control not found under {sharedir}/extension: install the Debian "
                "package postgresql-plpython3-15 (fct_indicator_results is computed in PL/Python)"
            )

    def _python_path_for_server(self) -> str:
        """PYTHONPATH the server's user can import from.

        Fail early, not with an ImportError inside PL/Python halfway through a build. A
        checkout the server's user cannot read (e.g. under root's 0700 home, as on CI) is
        mirrored into the server's own folder: hard links where the filesystem allows
        (instant), a copy otherwise.
        """
        entries = project_python_path().split(os.pathsep)
        if self._os_user is None:
            return os.pathsep.join(entries)
        readable = []
        for index, entry in enumerate(entries):
            if self._server_user_can_read(entry):
                readable.append(entry)
                continue
            mirror = self._require_root() / "python" / str(index)
            mirror.parent.mkdir(exist_ok=True)
            linked = subprocess.run(["cp", "-al", entry, str(mirror)], capture_output=True)
            if linked.returncode != 0:
                shutil.rmtree(mirror, ignore_errors=True)
                shutil.copytree(entry, mirror, symlinks=True)
            if not self._server_user_can_read(str(mirror)):
                raise PostgresServerError(
                    "PostgreSQL のサーバーユーザーがプロジェクトの Python パッケージを読めません。"
                    f" The server runs as OS user '{self._os_user.pw_name}', whose PL/Python "
                    f"must import from {entry}; even a mirror in {mirror} is not readable: "
                    "make the files readable by other users (chmod -R o+rX)"
                )
            readable.append(str(mirror))
        return os.pathsep.join(readable)

    def _server_user_can_read(self, entry: str) -> bool:
        assert self._os_user is not None
        probe = subprocess.run(
            ["runuser", "-u", self._os_user.pw_name, "--", "test", "-r", entry, "-a", "-x", entry],
            capture_output=True,
            check=False,
        )
        return probe.returncode == 0

    def _require_root(self) -> Path:
        if self.root is None:
            raise PostgresServerError("the PostgreSQL server has not been started")
        return self.root

    def _run(self, program: str, *args: str, environment: Mapping[str, str] | None = None) -> None:
        command = [str(self.bin_dir / program), *args]
        env = {**os.environ, **(environment or {})}
        if self._os_user is not None:
            # runuser keeps the environment we pass through env(1), unlike su -l.
            assignments = [f"{name}={value}" for name, value in (environment or {}).items()]
            command = [
                "runuser",
                "-u",
                self._os_user.pw_name,
                "--",
                "env",
                f"HOME={self._require_root()}",
                *assignments,
                *command,
            ]
        completed = subprocess.run(
            command, env=env, capture_output=True, text=True, check=False, timeout=120
        )
        if completed.returncode != 0:
            log_tail = "\n".join(self.server_log().splitlines()[-20:])
            raise PostgresServerError(
                f"PostgreSQL の {program} が失敗しました (exit {completed.returncode}).\n"
                f"command: {' '.join(command)}\n"
                f"stderr: {completed.stderr.strip()}\n"
                + (f"server log (last lines):\n{log_tail}" if log_tail else "")
            )


def _server_os_user() -> pwd.struct_passwd | None:
    """None when we are not root; else the ``postgres`` user to run the server as."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SERVER_OS_USER)
    except KeyError:
        raise PostgresServerError(
            "root では PostgreSQL を起動できません。"
            f" PostgreSQL refuses to run as root and there is no '{SERVER_OS_USER}' OS user: "
            "install the Debian package postgresql (it creates the user) or run as non-root"
        ) from None
