"""A function called in a worker process (impact_warehouse/worker_process.py): its result
comes back whatever it prints, and its failure is a WorkerFailed naming the cause. The
functions are the standard library's: a worker imports a function by its module's name."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from impact_warehouse.worker_pool import MAX_FAILURES_IN_A_ROW, WorkerPool
from impact_warehouse.worker_process import (
    LOWER_PRIORITY,
    WorkerCall,
    WorkerFailed,
    WorkerProcess,
    _raised_answer,
    call_payload,
)

TIMEOUT_ENV = "IMPACT_TEST_WORKER_TIMEOUT"  # unset: each call's default


def test_the_result_comes_back_whatever_the_function_prints() -> None:
    # Printed by print (sys.stdout) and by a child process (file descriptor 1): both would
    # corrupt the pickled result if stdout were not kept for it alone.
    assert (
        WorkerCall(
            print, "noise", timeout_env=TIMEOUT_ENV, default_timeout=60, label="print"
        ).result()
        is None
    )
    assert (
        WorkerCall(
            os.system, "echo noise", timeout_env=TIMEOUT_ENV, default_timeout=60, label="system"
        ).result()
        == 0
    )
    assert WorkerCall(
        sorted, [3, 1, 2], timeout_env=TIMEOUT_ENV, default_timeout=60, label="sorted"
    ).result() == [1, 2, 3]


def test_an_error_the_function_raises_is_raised_as_itself_with_the_workers_traceback() -> None:
    call = WorkerCall(
        os.stat, "/no/such/file", timeout_env=TIMEOUT_ENV, default_timeout=60, label="stat"
    )
    with pytest.raises(FileNotFoundError, match="/no/such/file") as raised:
        call.result()
    (note,) = raised.value.__notes__
    assert note.startswith("(raised in a worker process)\nTraceback")
    assert "FileNotFoundError" in note


class _NeedsTwoArguments(Exception):
    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} and {second}")


def test_an_error_that_cannot_be_rebuilt_from_its_pickle_travels_as_a_runtime_error() -> None:
    """Pickled, an exception keeps only its message: a constructor that wants more fails to
    rebuild it in the caller. (Tested on the answer itself: a worker imports functions from
    the package and the standard library, not from this test module.)"""
    try:
        raise _NeedsTwoArguments("this", "that")
    except _NeedsTwoArguments as error:
        answer = _raised_answer(error)
    returned, travelled = pickle.loads(answer)
    assert not returned and type(travelled) is RuntimeError
    assert str(travelled) == "_NeedsTwoArguments: this and that"
    assert 'raise _NeedsTwoArguments("this", "that")' in travelled.__notes__[0]


def test_a_worker_that_dies_is_reported_with_its_exit_status() -> None:
    call = WorkerCall(os._exit, 3, timeout_env=TIMEOUT_ENV, default_timeout=60, label="exit")
    with pytest.raises(WorkerFailed, match=r"exit: exit 3"):
        call.result()


def test_a_worker_that_cannot_start_is_reported_when_its_result_is_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.executable", "/no/such/python")
    call = WorkerCall(sorted, [2, 1], timeout_env=TIMEOUT_ENV, default_timeout=60, label="missing")
    with pytest.raises(WorkerFailed, match="missing: /no/such/python"):
        call.result()


def test_a_cancelled_worker_is_stopped_and_says_so() -> None:
    """A caller that fails before it asks for the result leaves no worker working for nobody."""
    call = WorkerCall(
        time.sleep, 600, timeout_env=TIMEOUT_ENV, default_timeout=900, label="sleeping"
    )
    assert call.running
    call.cancel()
    assert not call.running
    with pytest.raises(WorkerFailed, match="sleeping: cancelled"):
        call.result()


def test_a_call_on_a_worker_the_caller_started_leaves_it_serving_on() -> None:
    """report/chart_worker.py: a worker started (and preloaded) before the work comes serves
    call after call; the caller ends it. Cancelling after the answer changes nothing;
    cancelling while it works stops it."""
    worker = WorkerProcess(label="kept")
    try:
        first = WorkerCall(
            sorted, [2, 1], timeout_env=TIMEOUT_ENV, default_timeout=60, label="k", worker=worker
        )
        assert first.result() == [1, 2] and not first.in_progress
        first.cancel()
        assert worker.running
        second = WorkerCall(
            time.sleep, 600, timeout_env=TIMEOUT_ENV, default_timeout=900, label="k", worker=worker
        )
        assert second.in_progress
        second.cancel()
        assert not worker.running
        with pytest.raises(WorkerFailed, match="k: cancelled"):
            second.result()
    finally:
        worker.kill()


def test_arguments_that_cannot_travel_are_a_worker_failure() -> None:
    call = WorkerCall(
        sorted, [threading.Lock()], timeout_env=TIMEOUT_ENV, default_timeout=60, label="lock"
    )
    with pytest.raises(WorkerFailed, match="lock: cannot hand over its arguments"):
        call.result()


def test_an_error_while_waiting_for_the_answer_is_a_worker_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def out_of_memory(*args: object, **kwargs: object) -> None:
        raise MemoryError("reading the answer")

    monkeypatch.setattr(pickle, "load", out_of_memory)
    call = WorkerCall(sorted, [2, 1], timeout_env=TIMEOUT_ENV, default_timeout=60, label="memory")
    with pytest.raises(WorkerFailed, match="memory: MemoryError: reading the answer"):
        call.result()
    assert not call.running


def test_an_empty_entry_in_pythonpath_does_not_bring_the_working_directory_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``PYTHONPATH=$PYTHONPATH:/opt/lib`` with nothing before it starts with an empty entry,
    which Python reads as the working directory: a module planted there must not load."""
    (tmp_path / "json.py").write_text("raise SystemExit('a planted json module ran')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONPATH", os.pathsep + str(tmp_path / "elsewhere"))
    assert (
        WorkerCall(
            exec, "import json", timeout_env=TIMEOUT_ENV, default_timeout=60, label="path"
        ).result()
        is None
    )


def test_a_worker_behind_a_wrapper_script_is_killed_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An interpreter command that is a script starting Python (not exec-ing it): cancelling
    must kill the Python it started too, or the caller waits on its pipes and it runs on."""
    wrapper = tmp_path / "python-wrapper"
    wrapper.write_text(f'#!/bin/sh\n"{sys.executable}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setattr("sys.executable", str(wrapper))
    call = WorkerCall(
        time.sleep, 600, label="wrapped", timeout_env=TIMEOUT_ENV, default_timeout=900
    )
    time.sleep(1)  # the wrapper has started its Python
    call.cancel()
    assert not call.running
    with pytest.raises(WorkerFailed, match="wrapped: cancelled"):
        call.result()
    assert not [
        line for line in subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True)
        .stdout.splitlines() if "worker_process" in line and str(tmp_path) in line
    ]  # fmt: skip


@pytest.mark.parametrize("value", ["inf", "nan", "1e309"])
def test_a_timeout_that_is_not_a_finite_number_is_refused_naming_it(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TIMEOUT_ENV, value)
    with pytest.raises(ValueError, match=f"{TIMEOUT_ENV}='{value}' must be a finite number"):
        WorkerCall(sorted, [1], label="finite", timeout_env=TIMEOUT_ENV, default_timeout=60)


def _pool(size: int = 1, preload: tuple[str, ...] = ()) -> WorkerPool:
    return WorkerPool(
        size, label="pool", preload=preload, timeout_env=TIMEOUT_ENV, default_timeout=60
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_pool_worker_imports_its_preload_first_and_serves_call_after_call() -> None:
    pool = _pool(preload=("fractions",))
    try:
        assert pool.call(eval, "'fractions' in __import__('sys').modules") is True
        first, second = pool.call(os.getpid), pool.call(os.getpid)
        assert first == second != os.getpid()  # one process, its imports paid once
        assert pool.answered == 3
    finally:
        pool.close()
    assert not _alive(first)


def test_a_pool_replaces_a_worker_that_failed_and_goes_on() -> None:
    pool = _pool()
    try:
        before = pool.call(os.getpid)
        with pytest.raises(WorkerFailed, match=r"pool: exit 3"):
            pool.call(os._exit, 3)
        after = pool.call(os.getpid)
        assert after != before and not _alive(before)
    finally:
        pool.close()


def test_a_pool_worker_serves_on_after_the_function_raised() -> None:
    pool = _pool()
    try:
        before = pool.call(os.getpid)
        with pytest.raises(FileNotFoundError, match="/no/such/file"):
            pool.call(os.stat, "/no/such/file")
        assert pool.call(os.getpid) == before  # the same worker: no start-up paid again
        assert pool.answered == 3
    finally:
        pool.close()


def test_a_pool_call_that_takes_too_long_is_killed_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(TIMEOUT_ENV, "0.5")
    pool = _pool()
    try:
        with pytest.raises(WorkerFailed, match=f"no answer within 0.5 s \\({TIMEOUT_ENV}\\)"):
            pool.call(time.sleep, 600)
        assert pool.call(sorted, [2, 1]) == [1, 2]
    finally:
        pool.close()


def test_a_pool_stops_replacing_workers_after_calls_keep_failing() -> None:
    """A timeout no call meets would otherwise start (and import into) a worker per call."""
    pool = _pool(size=2)
    try:
        started = [pool.call(os.getpid) for _ in range(2)]
        for _ in range(MAX_FAILURES_IN_A_ROW):
            with pytest.raises(WorkerFailed, match="exit 1"):
                pool.call(os._exit, 1)
        # The third failure was not replaced: one worker is left; the fourth takes it.
        assert len(pool._workers) == 1
        with pytest.raises(WorkerFailed, match="exit 1"):
            pool.call(os._exit, 1)
        assert not pool._workers
        with pytest.raises(WorkerFailed, match="no worker left after 4 failed calls"):
            pool.call(sorted, [1])
        assert not any(_alive(pid) for pid in started)
    finally:
        pool.close()


def test_a_pool_shrunk_by_failures_grows_back_once_a_call_succeeds() -> None:
    pool = _pool(size=2)
    try:
        failing = [threading.Thread(target=_fails_in, args=(pool,)) for _ in range(2)]
        for thread in failing:
            thread.start()
        for thread in failing:
            thread.join()
        with pytest.raises(WorkerFailed, match="exit 1"):
            pool.call(os._exit, 1)  # the third in a row: not replaced, one worker left
        assert len(pool._workers) == 1
        pool.call(sorted, [1])
        assert len(pool._workers) == 2  # calls succeed again: back to its size
    finally:
        pool.close()


def _fails_in(pool: WorkerPool) -> None:
    with pytest.raises(WorkerFailed):
        pool.call(os._exit, 1)


def test_a_worker_that_cannot_be_started_is_not_waited_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No thread to read a new worker's stderr: its process is killed, and a caller finds
    the pool empty at once instead of waiting for a worker that will never come."""
    started: list[subprocess.Popen[bytes]] = []
    real_popen = subprocess.Popen

    def popen(*args: object, **kwargs: object) -> subprocess.Popen[bytes]:
        process = real_popen(*args, **kwargs)  # type: ignore[call-overload]
        started.append(process)
        return process

    def no_thread(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(subprocess, "Popen", popen)
    monkeypatch.setattr(threading.Thread, "start", no_thread)
    pool = _pool(size=1)
    try:
        for _ in range(MAX_FAILURES_IN_A_ROW):
            with pytest.raises(WorkerFailed, match="pool: RuntimeError: can't start new thread"):
                pool.call(sorted, [1])
        with pytest.raises(WorkerFailed, match="no worker left after 3 failed calls"):
            pool.call(sorted, [1])
    finally:
        pool.close()
    assert started and all(process.poll() is not None for process in started)


def test_calls_beyond_the_pool_size_wait_for_a_free_worker() -> None:
    pool = _pool(size=1)
    results: list[int] = []
    try:
        callers = [
            threading.Thread(target=lambda: results.append(pool.call(os.getpid))) for _ in range(4)
        ]
        for caller in callers:
            caller.start()
        for caller in callers:
            caller.join()
    finally:
        pool.close()
    assert len(results) == 4 and len(set(results)) == 1


def test_a_closed_pool_has_killed_its_workers_and_refuses_calls() -> None:
    pool = _pool(size=2)
    pids = [pool.call(os.getpid) for _ in range(2)]
    pool.close()
    assert not any(_alive(pid) for pid in pids)
    with pytest.raises(WorkerFailed, match="pool: the worker pool is closed"):
        pool.call(sorted, [1])


def test_a_preload_that_cannot_be_imported_fails_the_call_naming_it() -> None:
    pool = _pool(preload=("no_such_module_anywhere",))
    try:
        with pytest.raises(WorkerFailed, match=r"ModuleNotFoundError.*no_such_module_anywhere"):
            pool.call(sorted, [1])
    finally:
        pool.close()


def test_a_timeout_beyond_what_a_thread_can_wait_still_gives_the_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """1e10 s is finite but beyond threading.TIMEOUT_MAX: the wait must not overflow."""
    monkeypatch.setenv(TIMEOUT_ENV, "1e10")
    assert WorkerCall(
        sorted, [2, 1], label="long", timeout_env=TIMEOUT_ENV, default_timeout=60
    ).result() == [1, 2]
    pool = _pool()
    try:
        assert pool.call(sorted, [2, 1]) == [1, 2]
    finally:
        pool.close()


def test_an_unexpected_error_while_calling_loses_no_pool_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A call that fails for another reason than its worker (no thread to start) is a worker
    failure, and the pool replaces the worker: a pool of one must not run dry and hang."""
    pool = _pool(size=1)
    start = threading.Thread.start
    failures = iter([RuntimeError("can't start new thread")])

    def start_once_failing(thread: threading.Thread) -> None:
        if thread.name == "worker pool" and (failure := next(failures, None)):
            raise failure
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", start_once_failing)
    try:
        with pytest.raises(WorkerFailed, match="pool: RuntimeError: can't start new thread"):
            pool.call(sorted, [2, 1])
        answers: list[list[int]] = []
        caller = threading.Thread(target=lambda: answers.append(pool.call(sorted, [2, 1])))
        start(caller)
        caller.join(60)
        assert answers == [[1, 2]]
    finally:
        pool.close()


def test_a_worker_started_by_a_worker_ends_with_it(tmp_path: Path) -> None:
    """A model computation's bootstrap starts workers of its own: killing the model worker
    (its timeout, the pool closed on an interrupted build) must not leave them running."""
    inner_pid = tmp_path / "inner.pid"
    starts_inner = (
        "import time\n"
        "from impact_warehouse.worker_process import WorkerCall\n"
        "inner = WorkerCall(time.sleep, 600, label='inner', timeout_env='UNSET_TIMEOUT',"
        " default_timeout=900)\n"
        f"open({str(inner_pid)!r}, 'w').write(str(inner._worker._process.pid))\n"
        "inner.result()\n"
    )
    pool = _pool()
    failures: list[WorkerFailed] = []

    def call_outer() -> None:
        try:
            pool.call(exec, starts_inner)
        except WorkerFailed as failure:  # killed with the pool
            failures.append(failure)

    outer = threading.Thread(target=call_outer)
    outer.start()
    # No deadline of ours (pytest-timeout bounds the test): only the outer call ending first
    # means the inner worker never started.
    while not inner_pid.is_file() or not inner_pid.read_text():
        assert outer.is_alive(), f"the outer call ended first: {failures}"
        time.sleep(0.1)
    pid = int(inner_pid.read_text())
    assert _alive(pid)
    pool.close()
    outer.join()
    assert failures
    while _alive(pid):  # killed with the outer group; gone once reaped (pytest-timeout bounds it)
        time.sleep(0.1)


def test_a_worker_started_after_the_pool_closed_is_not_left_behind() -> None:
    pool = _pool(size=1)
    pool.close()
    idle_before = pool._idle.qsize()
    pool._starting += 1  # a failed call's replacement racing the close
    pool._start_one()
    assert not pool._workers and pool._idle.qsize() == idle_before and not pool._starting


@pytest.mark.parametrize("lower_priority", [False, True])
def test_a_lower_priority_worker_runs_nicer_than_its_parent(lower_priority: bool) -> None:
    """A worker started to use what the caller leaves idle (its imports during a build) runs
    LOWER_PRIORITY steps nicer (capped where the system caps it); any other, as its parent."""
    worker = WorkerProcess(label="priority", lower_priority=lower_priority)
    here = os.getpriority(os.PRIO_PROCESS, 0)
    try:
        there = worker.call(
            call_payload("priority", os.getpriority, (os.PRIO_PROCESS, 0)),
            timeout=120,
            timeout_env="TEST_TIMEOUT",
        )
    finally:
        worker.end()
    assert there == (min(here + LOWER_PRIORITY, 19) if lower_priority else here)
