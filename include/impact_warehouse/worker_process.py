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

import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

Result = TypeVar("Result")

# The folder that holds the impact_warehouse package: the worker imports it from there, never
# from its working directory (dbt runs in the DuckDB file's folder, which must not be able to
# shadow a module).
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])


class WorkerFailed(RuntimeError):
    """A worker process could not start, failed, or ended without a readable result."""


class WorkerCall(Generic[Result]):
    """``function(*args)`` running in a worker process from the moment this is made."""

    def __init__(
        self, function: Callable[..., Result], *args: Any, timeout: float, label: str
    ) -> None:
        self.label = label
        self._timeout = timeout
        self._output: tuple[bytes, bytes] | None = None
        self._error: WorkerFailed | None = None
        payload = pickle.dumps((function, args))
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                [_PACKAGE_ROOT, *filter(None, [os.environ.get("PYTHONPATH")])]
            ),
        }
        command = [sys.executable, "-P", "-m", __name__]
        try:
            self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
            )
        except OSError as error:
            self._process = None
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
            self._process.kill()
            self._process.wait()
            self._error = WorkerFailed(f"{self.label}: no answer within {self._timeout:g} s")

    @property
    def running(self) -> bool:
        """Is the worker process still alive?"""
        return self._process is not None and self._process.poll() is None

    def cancel(self) -> None:
        """Stop the worker if it is still working (the caller no longer wants the result:
        it failed on its own side); nothing happens after the result was collected."""
        if not self.running:
            return
        assert self._process is not None
        self._process.kill()
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
        if self._process.returncode != 0:
            raise WorkerFailed(f"{self.label}: exit {self._process.returncode}: {tail}")
        try:
            return pickle.loads(stdout)
        except (pickle.UnpicklingError, EOFError, ValueError, AttributeError) as error:
            raise WorkerFailed(f"{self.label}: unreadable result ({error}): {tail}") from error


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
