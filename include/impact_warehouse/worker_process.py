"""A function called in a fresh Python process while this one goes on.

For CPU-bound work that would otherwise hold this process's interpreter lock: the bootstrap of
the adjusted comparison inside dbt's process (transform/comparison_bootstrap.py), a share of
the report's charts (report/render.py). The worker is ``python -P -m`` this module: the
function and its arguments go in by stdin, its result comes out by stdout (pickles; functions
travel by name, so the worker imports the function's module). Not ``multiprocessing``: its
``spawn`` re-imports the parent's main module, which may be any script (an Airflow task, a
test runner, a user's own) that must not run twice.

A worker that cannot start, fails, answers nonsense or does not answer in time raises
:class:`WorkerFailed` from :meth:`WorkerCall.result`; callers then do the work themselves, so a
broken worker makes a run slower, never wrong or stuck.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from impact_warehouse.file_lock import timeout_from_env

Result = TypeVar("Result")

log = logging.getLogger(__name__)

# The folder that holds the impact_warehouse package: the worker imports it from there, never
# from its working directory (dbt runs in the DuckDB file's folder, which must not be able to
# shadow a module).
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])


class WorkerFailed(RuntimeError):
    """A worker process could not start, failed, or ended without a readable result."""


class WorkerCall(Generic[Result]):
    """``function(*args)`` running in a worker process from the moment this is made."""

    def __init__(
        self,
        function: Callable[..., Result],
        *args: Any,
        label: str,
        timeout_env: str,
        default_timeout: float,
    ) -> None:
        """``timeout_env``: the setting that bounds the wait, in seconds (else
        ``default_timeout``); a worker that runs longer is killed, and the failure names it."""
        self.label = label
        self._timeout_env = timeout_env
        self._timeout = timeout_from_env(timeout_env, default_timeout)
        self._output: tuple[bytes, bytes] | None = None
        self._error: WorkerFailed | None = None
        self._process: subprocess.Popen[bytes] | None = None
        try:
            payload = pickle.dumps((function, args))
        except Exception as error:  # an argument that cannot travel: the caller does the work
            self._error = WorkerFailed(f"{label}: cannot hand over its arguments ({error})")
            return
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([_PACKAGE_ROOT, *_inherited_path()])}
        command = [sys.executable, "-P", "-m", __name__]
        try:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                # Its own process group, so that killing it kills whatever the interpreter
                # command started (a wrapper script that does not exec Python).
                start_new_session=True,
            )
        except OSError as error:
            self._error = WorkerFailed(f"{label}: {command[0]}: {error}")
            return
        # The pipes are served by a thread: a payload or a result larger than a pipe's buffer
        # would otherwise block this process until the worker has finished.
        self._thread = threading.Thread(
            target=self._communicate, args=(payload,), name=f"worker {label}", daemon=True
        )
        self._thread.start()

    def _communicate(self, payload: bytes) -> None:
        assert self._process is not None
        try:
            self._output = self._process.communicate(payload, timeout=self._timeout)
        except subprocess.TimeoutExpired:
            self._kill()
            self._error = WorkerFailed(
                f"{self.label}: no answer within {self._timeout:g} s ({self._timeout_env})"
            )
        except BaseException as error:  # out of memory reading the answer, …: never stuck
            self._kill()
            self._error = WorkerFailed(f"{self.label}: {type(error).__name__}: {error}")

    def _kill(self) -> None:
        """The worker and everything in its process group, then wait for it."""
        assert self._process is not None
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait()

    @property
    def running(self) -> bool:
        """Is the worker process still alive?"""
        return self._process is not None and self._process.poll() is None

    def cancel(self) -> None:
        """Stop the worker if it is still working (the caller no longer wants the result:
        it failed on its own side); nothing happens after the result was collected."""
        if not self.running:
            return
        self._kill()
        self._thread.join()
        self._error = self._error or WorkerFailed(f"{self.label}: cancelled")

    def result(self) -> Result:
        """The function's result, once the worker has answered; WorkerFailed if it did not."""
        if self._process is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._process is not None and self._output is not None
        stdout, stderr = self._output
        tail = " | ".join(stderr.decode("utf-8", "replace").strip().splitlines()[-3:])
        if tail and self._process.returncode == 0:
            # What the worker warned about (a glyph missing from the font, …) would have been
            # in the task's log had the work been done in the calling process.
            log.info("%s worker said: %s", self.label, tail)
        if self._process.returncode != 0:
            raise WorkerFailed(f"{self.label}: exit {self._process.returncode}: {tail}")
        try:
            return pickle.loads(stdout)
        except Exception as error:  # any bytes but a pickle of the result: nonsense
            raise WorkerFailed(f"{self.label}: unreadable result ({error}): {tail}") from error


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, e.g. ``taskset``), not the
    machine's: a worker only pays with a second core to run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity on this platform
        return os.cpu_count() or 1


def _inherited_path() -> list[str]:
    """The caller's PYTHONPATH without the entries that name the working directory (an empty
    or relative entry): ``-P`` keeps the working directory off the worker's path, and an
    entry like the empty one in ``:/opt/lib`` would put it back."""
    entries = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    return [entry for entry in entries if entry and os.path.isabs(entry)]


def _serve() -> None:
    """A worker: (function, args) from stdin, the function's result to stdout."""
    # Whatever the function or a library prints goes to stderr: stdout carries the result only.
    result_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    function, args = pickle.load(sys.stdin.buffer)
    with result_out:
        pickle.dump(function(*args), result_out)


if __name__ == "__main__":
    _serve()
