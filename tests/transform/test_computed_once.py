"""computed_once: the two non-response models share one computation per build."""

from __future__ import annotations

import threading

import pandas as pd

from impact_warehouse.transform.computed_once import computed_once


def _counted(calls: list[int]):
    def compute(frame: pd.DataFrame, *, scale: float) -> tuple[float, float]:
        calls.append(1)
        return float(frame["value"].sum()) * scale, float(len(frame))

    return compute


def test_equal_inputs_in_any_row_order_compute_once() -> None:
    calls: list[int] = []
    compute = _counted(calls)
    frame = pd.DataFrame({"key": ["a", "b", "c"], "value": [1.0, 2.0, 3.0]})
    first = computed_once(compute, frame, scale=2.0)
    second = computed_once(compute, frame.iloc[::-1].copy(), scale=2.0)
    assert first is second
    assert len(calls) == 1


def test_other_data_or_arguments_compute_afresh() -> None:
    calls: list[int] = []
    compute = _counted(calls)
    frame = pd.DataFrame({"key": ["a", "b"], "value": [1.0, 2.0]})
    assert computed_once(compute, frame, scale=1.0) == (3.0, 2.0)
    assert computed_once(compute, frame.assign(value=[1.0, 5.0]), scale=1.0) == (6.0, 2.0)
    assert computed_once(compute, frame, scale=3.0) == (9.0, 2.0)
    assert len(calls) == 3


def test_a_second_caller_waits_for_the_first() -> None:
    calls: list[int] = []
    started, release = threading.Event(), threading.Event()

    def slow(frame: pd.DataFrame) -> int:
        calls.append(1)
        started.set()
        release.wait(5)
        return len(frame)

    frame = pd.DataFrame({"value": [1, 2, 3]})
    results: list[int] = []
    first = threading.Thread(target=lambda: results.append(computed_once(slow, frame)))
    first.start()
    started.wait(5)
    asking = threading.Event()

    def second_caller() -> None:
        asking.set()
        results.append(computed_once(slow, frame))

    second = threading.Thread(target=second_caller)
    second.start()
    asking.wait(5)
    # Let the second caller reach computed_once while the first still computes: without the
    # lock it would find nothing kept yet and compute again (two calls).
    second.join(0.3)
    release.set()
    first.join(5)
    second.join(5)
    assert results == [3, 3]
    assert len(calls) == 1
