"""Functions called in fresh Python processes while this one goes on.

For CPU-bound work that would otherwise hold this process's interpreter lock: the dbt Python
models' computations inside dbt's process (transform/model_computations.py), the bootstrap of
the adjusted comparison (transform/comparison_bootstrap.py), a share of the report's charts
(report/chart_worker.py); a pool of them in worker_pool.py. A worker is ``python -P -m`` this
module: it imports the modules it is told to preload, then takes calls one after another, each
a function and its arguments in by stdin and its result out by stdout (pickles; functions
travel by name, so the worker imports the function's module). Not ``multiprocessing``: its
``spawn`` re-imports the parent's main module, which may be any script (an Airflow task, a
test runner, a user's own) that must not run twice.

A worker that cannot start, fails, answers nonsense or does not answer in time raises
:class:`WorkerFailed` (as does any other error while waiting for it, except an interruption
such as Ctrl-C, which goes on); callers then do the work themselves, so a broken worker makes
a run slower, never wrong or stuck.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import pickle
import signal
import subprocess
import sys
import threading
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

from impact_warehouse.file_lock import timeout_from_env

Result = TypeVar("Result")

log = logging.getLogger(__name__)

# The folder that holds the impact_warehouse package: the worker imports it from there, never
# from its working directory (dbt runs in the DuckDB file's folder, which must not be able to
# shadow a module).
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])
_STDERR_LINES_KEPT = 3  # the tail of a worker's stderr that its failure or its log quotes
# Set in every worker: a worker started by a worker (a model computation's bootstrap) stays in
# its parent's process group, so killing the outer worker's group ends them both.
_IN_WORKER_ENV = "IMPACT_IN_WORKER_PROCESS"
# Set for a worker that should take only what the machine leaves idle (its imports while the
# caller is busy): how much nicer than its parent it runs (os.nice), for its whole life, since
# a process may not raise its priority again.
_NICER_ENV = "IMPACT_WORKER_NICER_BY"
LOWER_PRIORITY = 10


class WorkerFailed(RuntimeError):
    """A worker process could not start, failed, or ended without a readable result."""


class FunctionRaised(Exception):
    """The called function raised ``error`` in a worker that goes on serving: the caller
    raises it as itself (computing it again would only raise it again, at twice the cost)."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def call_payload(label: str, function: Callable[..., Any], args: Sequence[Any]) -> bytes:
    """The pickled call, or WorkerFailed when an argument cannot travel (a lock, a lambda)."""
    try:
        return pickle.dumps((function, tuple(args)), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:
        raise WorkerFailed(f"{label}: cannot hand over its arguments ({error})") from error


class WorkerProcess:
    """A Python process that imports ``preload`` from the moment this is made, then runs the
    calls it is given one after another until it is closed."""

    def __init__(
        self, *, label: str, preload: Sequence[str] = (), lower_priority: bool = False
    ) -> None:
        """``lower_priority``: the worker runs :data:`LOWER_PRIORITY` steps nicer than this
        process, so that its start-up uses cores this process leaves idle."""
        self.label = label
        self._said: deque[str] = deque(maxlen=_STDERR_LINES_KEPT)
        self._said_lock = threading.Lock()
        self._start_error: WorkerFailed | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._leads_group = os.environ.get(_IN_WORKER_ENV) != "1"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([_PACKAGE_ROOT, *_inherited_path()])}
        env.pop(_NICER_ENV, None)
        if lower_priority:
            env[_NICER_ENV] = str(LOWER_PRIORITY)
        command = [sys.executable, "-P", "-m", __name__, *preload]
        try:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                # Its own process group, so that killing it kills whatever the interpreter
                # command started (a wrapper script that does not exec Python); inside a
                # worker, the outer worker's group.
                start_new_session=self._leads_group,
            )
        except OSError as error:
            self._start_error = WorkerFailed(f"{label}: {command[0]}: {error}")
            return
        # Read as it comes: a worker whose stderr pipe filled up would stop mid-call.
        self._stderr_reader = threading.Thread(
            target=self._read_stderr, name=f"worker {label} stderr", daemon=True
        )
        try:
            self._stderr_reader.start()
        except RuntimeError as error:  # no thread to be had: no process left without a reader
            self.kill()
            self._start_error = WorkerFailed(f"{label}: {type(error).__name__}: {error}")

    def _read_stderr(self) -> None:
        assert self._process is not None and self._process.stderr is not None
        for line in self._process.stderr:
            text = line.decode("utf-8", "replace").rstrip()
            if text:
                with self._said_lock:
                    self._said.append(text)

    def _take_said(self) -> list[str]:
        with self._said_lock:
            said = list(self._said)
            self._said.clear()
        return said

    @property
    def running(self) -> bool:
        """Is the worker process still alive?"""
        return self._process is not None and self._process.poll() is None

    def call(self, payload: bytes, *, timeout: float, timeout_env: str) -> Any:
        """The result of the pickled call (:func:`call_payload`); WorkerFailed if the worker
        does not give one within ``timeout`` seconds (``timeout_env`` names the setting), and
        the worker is then gone."""
        if self._start_error is not None:
            raise self._start_error
        assert self._process is not None
        answer: dict[str, Any] = {}
        # The exchange is served by a thread, so that a worker that never answers can be
        # killed when the time is up; the worker reads the whole call before it answers.
        exchange = threading.Thread(
            target=self._exchange,
            args=(payload, answer),
            name=f"worker {self.label}",
            daemon=True,
        )
        try:
            exchange.start()
            # Thread.join refuses waits beyond TIMEOUT_MAX (about 292 years) with OverflowError.
            exchange.join(min(timeout, threading.TIMEOUT_MAX))
        except Exception as error:  # no thread to start, …: the caller does the work
            self.kill()
            raise WorkerFailed(f"{self.label}: {type(error).__name__}: {error}") from error
        except BaseException:  # interrupted (Ctrl-C): the worker goes, the interruption on
            self.kill()
            raise
        if exchange.is_alive():
            self.kill()
            exchange.join()
            raise WorkerFailed(f"{self.label}: no answer within {timeout:g} s ({timeout_env})")
        if "error" in answer:
            raise self._failure(answer["error"])
        self._log_said()
        returned, value = answer["result"]
        if not returned:
            raise FunctionRaised(value)
        return value

    def _log_said(self) -> None:
        said = self._take_said()
        if said:
            # What the worker warned about (a glyph missing from the font, …) would have been
            # in the task's log had the work been done in the calling process.
            log.info("%s worker said: %s", self.label, " | ".join(said))

    def _exchange(self, payload: bytes, answer: dict[str, Any]) -> None:
        assert self._process is not None and self._process.stdin and self._process.stdout
        try:
            self._process.stdin.write(payload)
            self._process.stdin.flush()
            answer["result"] = pickle.load(self._process.stdout)
        except BaseException as error:  # out of memory reading the answer, …: never stuck
            answer["error"] = error

    def _failure(self, error: BaseException) -> WorkerFailed:
        """Why the worker gave no result; it is ended either way."""
        assert self._process is not None
        ended = isinstance(error, EOFError | BrokenPipeError)
        if ended:  # it exited (a failing function, a crash): wait for its last words
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=5)
        self.kill()
        self._stderr_reader.join(timeout=5)
        tail = " | ".join(self._take_said())
        if ended:
            failure = WorkerFailed(f"{self.label}: exit {self._process.returncode}: {tail}")
        elif isinstance(error, pickle.UnpicklingError | ValueError | TypeError):
            failure = WorkerFailed(f"{self.label}: unreadable result ({error}): {tail}")
        else:
            failure = WorkerFailed(f"{self.label}: {type(error).__name__}: {error}")
        failure.__cause__ = error
        return failure

    def end(self, grace: float = 2.0) -> None:
        """No more calls: the worker ends by itself (it is between calls), or is killed after
        ``grace`` seconds (it is still importing, or stuck)."""
        if self._process is None or self._start_error is not None:
            return  # never started, or killed when its start failed
        with contextlib.suppress(OSError):
            self._process.stdin.close()  # type: ignore[union-attr]
        try:
            self._process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.kill()
        self._stderr_reader.join(timeout=grace)
        self._log_said()

    def kill(self) -> None:
        """The worker and everything in its process group, then wait for it."""
        if self._process is None or self._process.returncode is not None:
            return  # never started, or already waited for (its id may be another's now)
        with contextlib.suppress(ProcessLookupError):  # already gone
            if self._leads_group:
                os.killpg(self._process.pid, signal.SIGKILL)
            else:
                self._process.kill()
        self._process.wait()


class WorkerCall(Generic[Result]):
    """``function(*args)`` running in a worker process from the moment this is made: a fresh
    one, ended after the call, or ``worker``, one the caller started (its imports done while
    the caller did other work) and ends itself."""

    def __init__(
        self,
        function: Callable[..., Result],
        *args: Any,
        label: str,
        timeout_env: str,
        default_timeout: float,
        worker: WorkerProcess | None = None,
    ) -> None:
        """``timeout_env``: the setting that bounds the wait, in seconds (else
        ``default_timeout``); a worker that runs longer is killed, and the failure names it."""
        self.label = label
        self._owns_worker = worker is None
        timeout = timeout_from_env(timeout_env, default_timeout)
        self._result: list[Result] = []  # the result, once there is one
        self._error: WorkerFailed | None = None
        self._raised: Exception | None = None  # what the function raised in the worker
        self._cancelled = False
        self._worker: WorkerProcess | None = None
        try:
            payload = call_payload(label, function, args)
        except WorkerFailed as error:  # the caller does the work; no process for nothing
            self._error = error
            return
        self._worker = worker or WorkerProcess(label=label)
        self._thread = threading.Thread(
            target=self._run, args=(payload, timeout, timeout_env), daemon=True
        )
        self._thread.start()

    def _run(self, payload: bytes, timeout: float, timeout_env: str) -> None:
        assert self._worker is not None
        try:
            self._result.append(
                self._worker.call(payload, timeout=timeout, timeout_env=timeout_env)
            )
        except FunctionRaised as raised:
            self._raised = raised.error
        except WorkerFailed as error:
            self._error = error
        except BaseException as error:  # never a result() of None: the caller falls back
            self._error = WorkerFailed(f"{self.label}: {type(error).__name__}: {error}")
        finally:
            if self._owns_worker:
                self._worker.end()

    @property
    def running(self) -> bool:
        """Is the worker process still alive?"""
        return self._worker is not None and self._worker.running

    @property
    def in_progress(self) -> bool:
        """Has the worker not answered yet (nor failed)?"""
        return self._worker is not None and self._thread.is_alive()

    def cancel(self) -> None:
        """Stop the worker if it is still working (the caller no longer wants the result:
        it failed on its own side); nothing happens once the worker has answered (a worker
        the caller started serves on)."""
        if not self.in_progress:
            return
        self._cancelled = True
        self._worker.kill()
        self._thread.join()

    def result(self) -> Result:
        """The function's result, once the worker has answered; what the function raised
        there, as itself; WorkerFailed if the worker gave neither."""
        if self._worker is not None:
            self._thread.join()
        if self._cancelled and self._error is not None:
            raise WorkerFailed(f"{self.label}: cancelled")
        if self._raised is not None:
            raise self._raised
        if self._error is not None:
            raise self._error
        if not self._result:
            raise WorkerFailed(f"{self.label}: no result")
        return self._result[0]


def worker_switched_on(switch_env: str, timeout_env: str, default_timeout: float) -> bool:
    """A worker switch such as ``IMPACT_REPORT_WORKER``: 1 a worker always, 0 never; unset,
    when there is a second core (on one core the worker's start-up would only add to the
    time). The worker's timeout setting is read too, whether or not a worker is used: a
    misspelt setting fails on every machine, not only on those with a second core."""
    switch = os.environ.get(switch_env, "").strip()
    if switch not in {"", "0", "1"}:
        raise ValueError(f"{switch_env}={switch!r}: 1 (a worker process), 0 (none) or unset")
    timeout_from_env(timeout_env, default_timeout)
    return switch == "1" or (switch == "" and usable_cores() > 1)


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


def _serve(preload: Sequence[str]) -> None:
    """A worker: the preloaded modules imported, then (function, args) from stdin and the
    function's result to stdout, call after call, until stdin ends."""
    os.environ[_IN_WORKER_ENV] = "1"  # the workers this one starts join its process group
    nicer_by = os.environ.pop(_NICER_ENV, "")
    if nicer_by:
        os.nice(int(nicer_by))
    # Whatever the function or a library prints goes to stderr: stdout carries results only.
    results = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    for module in preload:
        importlib.import_module(module)
    calls = sys.stdin.buffer
    while True:
        try:
            function, args = pickle.load(calls)
        except EOFError:  # closed: no more calls
            return
        try:
            result = function(*args)
        except Exception as error:  # the caller raises it; this worker serves on
            results.write(_raised_answer(error))
        else:
            # Streamed: a large result is not copied into one bytes object first. A result
            # that cannot be pickled ends the worker mid-answer; the caller sees it fail.
            pickle.dump((True, result), results, protocol=pickle.HIGHEST_PROTOCOL)
        results.flush()


def _raised_answer(error: Exception) -> bytes:
    """The pickled answer for a function that raised ``error``, its traceback as a note. An
    error that cannot travel, or cannot be rebuilt from its pickle (an exception class whose
    constructor wants other arguments), travels as a RuntimeError naming it."""
    error.add_note(f"(raised in a worker process)\n{''.join(traceback.format_exception(error))}")
    try:
        answer = pickle.dumps((False, error), protocol=pickle.HIGHEST_PROTOCOL)
        pickle.loads(answer)
    except Exception:
        stand_in = RuntimeError(f"{type(error).__name__}: {error}")
        stand_in.__notes__ = list(getattr(error, "__notes__", []))
        answer = pickle.dumps((False, stand_in), protocol=pickle.HIGHEST_PROTOCOL)
    return answer


if __name__ == "__main__":
    _serve(sys.argv[1:])
