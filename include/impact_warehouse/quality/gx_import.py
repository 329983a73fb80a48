"""Great Expectations imported so that importing it cannot end the process.

With pyspark installed (the Spark engine), GX's pyspark compatibility layer imports Spark
Connect, whose dependency check takes a process whose ``__main__`` has no file (``python -c``;
a script piped to ``python -`` is ``<stdin>`` and not affected) for pyspark's own doctest run
and, without pyarrow, calls ``sys.exit(0)``: the rest of the script never runs and the exit
status says success, so a shell or a scheduler reads a gate that never ran as one that
passed. While GX is first imported, such a ``__main__`` is given a file name and the check
sees an ordinary script.

Limits: only the first import of GX is covered (every module of the package that imports GX
calls :func:`import_great_expectations` first). Spark Connect fails to load without pyarrow, so
it is not kept, and a later import of it in a file-less process (``SPARK_REMOTE`` set, or GX
imported before this package) still ends it: the project's entry points and worker processes
run from files and modules (``benchmarks/child.py``, ``python -m``). While GX is imported,
another thread that starts a ``spawn`` process would see the borrowed file name.
"""

from __future__ import annotations

import os
import sys

# GX would otherwise send usage analytics from every gate run.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def import_great_expectations() -> None:
    """Import ``great_expectations`` once, without pyspark's doctest exit (module docstring)."""
    if "great_expectations" in sys.modules:
        return
    main = sys.modules.get("__main__")
    fileless = (
        main is not None
        and getattr(main, "__spec__", None) is None
        and not hasattr(main, "__file__")
    )
    if fileless:
        main.__file__ = "<string>"  # type: ignore[union-attr]
    try:
        import great_expectations  # noqa: F401
    finally:
        if fileless:
            del main.__file__  # type: ignore[union-attr]
