"""Progress lines on long steps: ``==> step`` then ``    done in N s``."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable


def step(message: str) -> Callable[[], None]:
    """Print the step now; call the returned function when it is done."""
    print(f"==> {message}", flush=True)
    started = time.monotonic()

    def done() -> None:
        print(f"    done in {time.monotonic() - started:.1f} s", flush=True)

    return done


def fail(message_ja: str, detail: str | None = None) -> int:
    """A staff-facing error: the Japanese sentence, then the technical detail; exit code 1."""
    print(f"エラー: {message_ja}", file=sys.stderr)
    if detail:
        print(f"  detail: {detail}", file=sys.stderr)
    return 1


def quiet_library_logs(verbose: bool = False) -> None:
    """Only warnings from the libraries: the progress lines are the command's output.

    Airflow's logging setup (imported for connections and variables) sends INFO to stdout.
    """
    level = logging.INFO if verbose else logging.WARNING
    for name in ("impact_warehouse", "great_expectations", "airflow", "dbt", "httpx"):
        logging.getLogger(name).setLevel(level)
