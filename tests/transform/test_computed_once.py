"""computed_once: the two non-response models, and the adjusted comparison and its covariate
balance, share one computation per build."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd
import pytest
import yaml

from impact_warehouse.transform.computed_once import computed_once
from impact_warehouse.transform.dbt_runner import DBT_PROJECT_DIR

if TYPE_CHECKING:  # the suite's root conftest; imported by name only for the type
    from conftest import DemoBuild

# Models that publish parts of one computation: each pair must ask with equal arguments.
SHARING_PAIRS = [
    ("fct_nonresponse_balance", "fct_nonresponse_weighted_shares"),
    ("fct_comparison_adjusted", "fct_covariate_balance"),
]
ADJUSTED_MODELS = DBT_PROJECT_DIR / "models" / "marts" / "adjusted"
MODELS_YAML = ADJUSTED_MODELS / "_marts_adjusted__models.yml"


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


class _CountedReads:
    """A deferred frame that counts how often it is read."""

    def __init__(self, frame: pd.DataFrame, digest: str) -> None:
        self._frame, self._digest, self.reads = frame, digest, 0

    def content_digest(self) -> str:
        return self._digest

    def frame(self) -> pd.DataFrame:
        self.reads += 1
        return self._frame


def test_a_deferred_frame_is_read_only_by_the_caller_that_computes() -> None:
    calls: list[int] = []
    compute = _counted(calls)
    frame = pd.DataFrame({"key": ["a", "b"], "value": [1.0, 2.0]})
    first, second = _CountedReads(frame, "same rows"), _CountedReads(frame, "same rows")
    assert computed_once(compute, first, scale=1.0) == (3.0, 2.0)
    assert computed_once(compute, second, scale=1.0) == (3.0, 2.0)
    assert (first.reads, second.reads, len(calls)) == (1, 0, 1)
    other = _CountedReads(frame.assign(value=[1.0, 5.0]), "other rows")
    assert computed_once(compute, other, scale=1.0) == (6.0, 2.0)
    assert (other.reads, len(calls)) == (1, 2)


def _shared_call(model: str) -> tuple[str, list[str]]:
    """The model's ``computed_once(...)`` call (from the call to its closing parenthesis) and
    its ANSWER_FILTER line, which the call reads."""
    source = (ADJUSTED_MODELS / f"{model}.py").read_text(encoding="utf-8")
    start = source.index("computed_once(\n")
    end = source.index("\n    )\n", start)
    return source[start:end], re.findall(r"^ANSWER_FILTER = .*$", source, flags=re.M)


@pytest.mark.parametrize(("first", "second"), SHARING_PAIRS)
def test_models_that_share_a_computation_ask_alike(
    first: str, second: str, demo_warehouse_for_seed: Callable[[int], DemoBuild]
) -> None:
    """Only equal arguments share: the same call in both model files, and the same settings
    (meta) in the built project, or each model would compute the whole thing again."""
    call, answer_filter = _shared_call(first)
    assert "ANSWER_FILTER" in call and len(answer_filter) == 1
    assert _shared_call(second) == (call, answer_filter)
    # As written, not only as rendered: a literal where the other reads a var would agree
    # with default vars and part under --vars.
    written = {
        model["name"]: model.get("config", {}).get("meta")
        for model in yaml.safe_load(MODELS_YAML.read_text(encoding="utf-8"))["models"]
    }
    assert written[first] is not None and written[first] == written[second]
    demo = demo_warehouse_for_seed(2025)
    manifest = json.loads((demo.run.target_path / "manifest.json").read_text(encoding="utf-8"))
    meta = {
        node["name"]: node["config"]["meta"]
        for node in manifest["nodes"].values()
        if node["name"] in (first, second) and node["resource_type"] == "model"
    }
    assert meta[first] == meta[second]
