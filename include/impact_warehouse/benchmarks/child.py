"""Run one benchmark step in a fresh Python process: wall time and that process's peak RSS.

Each step gets its own interpreter so its peak memory is its own (DuckDB, dbt's Python
models and GX all allocate inside the process that runs them) and nothing is warm from a
previous step. The step prints one JSON line last; the parent adds the wall time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# Appended to every step: the step's own peak RSS (KiB on Linux), including any children.
_PEAK = """
import json as _json, resource as _resource
_peak_kib = max(
    _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss,
    _resource.getrusage(_resource.RUSAGE_CHILDREN).ru_maxrss,
)
print(_json.dumps({**RESULT, "peak_mib": _peak_kib / 1024}))
"""


class StepFailed(RuntimeError):
    pass


def run_step(code: str, *, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Run ``code`` (which must set a dict ``RESULT``) in a child Python; return RESULT plus
    ``wall_seconds`` and ``peak_mib``."""
    with tempfile.TemporaryDirectory(prefix="benchmark-step-") as folder:
        # A script file, not `python -c`: pyspark's Spark Connect module (imported by Great
        # Expectations) takes a main module without a file for a doctest run and exits 0.
        script = Path(folder) / "step.py"
        script.write_text(code + _PEAK, encoding="utf-8")
        started = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, str(script)],
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        ending = f"exit {completed.returncode}" + ("" if lines else ", no result printed")
        raise StepFailed(
            f"benchmark step failed ({ending}):\n"
            f"{completed.stderr[-4000:]}\n--- step code ---\n{code}"
        )
    return {**json.loads(lines[-1]), "wall_seconds": wall}
