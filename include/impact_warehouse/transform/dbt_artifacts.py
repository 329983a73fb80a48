"""A run's result file without dbt's manifest: for the runs whose manifest nobody reads.

dbt writes ``manifest.json`` twice in every invocation (after parsing and after running) and
pickles its graph (``graph.gpickle``): on demo data about 0.7 s of a 7 s build, and 0.3 s of
the 0.6 s freshness check. The production build and the freshness check after it have no
reader for them: the gate reads the run's result, a release's docs site writes its own
manifest (transform/docs_site.py). So :func:`~impact_warehouse.transform.dbt_runner.run_dbt`
with ``write_manifest=False`` turns dbt's JSON writing off (``--no-write-json``) and writes
the run's result file here from what dbt returned, as dbt would (``run_results.json``, or
``sources.json`` for ``dbt source freshness``). The manifest files an earlier run left in the
target folder are removed first, with the result file an earlier run of the same command left,
so no one reads another build's artifacts as this one's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

NO_WRITE_JSON = "--no-write-json"
# What dbt writes only when its JSON writing is on, besides the result file.
MANIFEST_FILES = ("manifest.json", "semantic_manifest.json", "graph.gpickle", "graph_summary.json")
RUN_RESULTS = "run_results.json"
SOURCES = "sources.json"


def remove_earlier_artifacts(target: Path, args: list[str]) -> None:
    """Remove the manifest files an earlier run left in ``target``, and the result file this
    command writes (``args``, e.g. ``["build"]``): a run that fails before any node writes
    none, and an earlier run's must not be read as its result. The other command's result
    (the build's run_results.json beside the freshness check's sources.json) stays."""
    freshness = any(args[at : at + 2] == ["source", "freshness"] for at in range(len(args)))
    result = SOURCES if freshness else RUN_RESULTS
    for name in (*MANIFEST_FILES, result):
        (target / name).unlink(missing_ok=True)


def result_file_name(result: Any) -> str | None:
    """The file dbt writes ``result`` to, None for a result dbt writes no file of (a
    ``dbt parse`` returns the manifest itself; a run that failed before any node, nothing)."""
    from dbt.artifacts.schemas.freshness import FreshnessResult
    from dbt.artifacts.schemas.run import RunExecutionResult

    if isinstance(result, FreshnessResult):
        return SOURCES
    if isinstance(result, RunExecutionResult):
        return RUN_RESULTS
    return None


def write_result_file(result: Any, target: Path) -> Path | None:
    """Write ``result`` where dbt would have; the path, or None when it has no result file.

    Only the run's own file is written: dbt writes a failed run's results too, and so does
    this, so a failed build's ``run_results.json`` still names what failed.
    """
    name = result_file_name(result)
    if name is None:
        return None
    path = target / name
    result.write(str(path))
    return path
