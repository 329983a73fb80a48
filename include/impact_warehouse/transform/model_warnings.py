"""Warnings of a model fit, recorded without touching the process for longer than the fit.

``warnings.catch_warnings`` swaps process-wide state and is not thread-safe: dbt runs the
Python models in threads, and two overlapping blocks restore each other's filters, which can
leave a filter such as "error" in force for the rest of the process (a later import's
DeprecationWarning then fails). Every block of the project that changes the filters goes
through :func:`recorded_warnings`, under one lock, so no two overlap; and it records instead
of raising, so another thread's warning during the fit is never turned into an error.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from statsmodels.tools.sm_exceptions import ModelWarning

_LOCK = threading.RLock()
# What a failed fit warns: statsmodels' model warnings (convergence, perfect separation,
# Hessian inversion) and numpy's floating-point trouble (overflow, division by zero).
FIT_WARNINGS = (ModelWarning, RuntimeWarning)


@contextmanager
def recorded_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """The warnings raised inside the block, recorded (neither shown nor raised)."""
    with _LOCK, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def fit_failed(caught: list[warnings.WarningMessage]) -> bool:
    """Whether a recorded warning says the fit cannot be trusted."""
    return any(issubclass(message.category, FIT_WARNINGS) for message in caught)
