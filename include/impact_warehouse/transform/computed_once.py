"""One computation shared by the dbt models that publish its parts.

``compute_nonresponse`` gives fct_nonresponse_balance and fct_nonresponse_weighted_shares
from the same inputs, ``compute_comparison_adjustment`` fct_comparison_adjusted and
fct_covariate_balance; each model would otherwise run it whole and keep half. dbt runs the
DuckDB Python models in one process, so the first model to ask computes and the other takes
the same result. A result is kept per function only for inputs with the same content (a
digest of every frame's values, columns and types and of the other arguments), so another
build, or changed data, computes afresh.

A model may hand a frame it has not read (a :class:`DeferredFrame`, such as
duckdb_frames.RelationFrame): its digest comes from the frame's source, and it is read only
when the computation runs, so the model that takes the kept result reads nothing.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from typing import Any, Protocol, TypeVar, runtime_checkable

import numpy as np
import pandas as pd

Result = TypeVar("Result")


@runtime_checkable
class DeferredFrame(Protocol):
    """A frame read only when needed, with a digest of its content that does not read it."""

    def content_digest(self) -> str: ...

    def frame(self) -> pd.DataFrame: ...


_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_LOCK = threading.Lock()
_RESULTS: dict[str, tuple[str, Any]] = {}


def computed_once(compute: Callable[..., Result], *args: Any, **kwargs: Any) -> Result:
    """``compute(*args, **kwargs)``, or the result of the last call with equal arguments."""
    name = f"{compute.__module__}.{compute.__qualname__}"
    digest = _digest(args, kwargs)
    with _LOCKS_LOCK:
        lock = _LOCKS.setdefault(name, threading.Lock())
    # The second model waits for the first instead of computing the same thing beside it.
    with lock:
        kept = _RESULTS.get(name)
        if kept is not None and kept[0] == digest:
            return kept[1]
        result = compute(
            *(_read(value) for value in args),
            **{name: _read(value) for name, value in kwargs.items()},
        )
        _RESULTS[name] = (digest, result)
        return result


def _read(value: Any) -> Any:
    return value.frame() if isinstance(value, DeferredFrame) else value


def _digest(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """Frames by their rows in any order (an engine returns a table's rows in no set order;
    the computations sort first, weighting.in_stable_order), other values by their repr."""
    digest = hashlib.sha256()
    for value in [*args, *sorted(kwargs.items())]:
        if isinstance(value, tuple):  # a keyword argument: (name, value)
            digest.update(value[0].encode())
            value = value[1]
        if isinstance(value, DeferredFrame):
            digest.update(b"deferred " + value.content_digest().encode())
        elif isinstance(value, pd.DataFrame):
            digest.update(repr(list(zip(value.columns, value.dtypes, strict=True))).encode())
            rows = np.sort(pd.util.hash_pandas_object(value, index=False).to_numpy())
            digest.update(rows.tobytes())
        else:
            digest.update(repr(value).encode())
        digest.update(b"\0")
    return digest.hexdigest()
