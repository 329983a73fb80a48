"""The environment's folders are read at the edges only; jobs use the Settings passed to them.

A job that read ``paths()`` itself wrote into the environment's folders while its caller had
passed others: a caller with its own folders (an organisation's scope, a test, a benchmark)
published into one folder and rendered from another. The edges are what a person or a
scheduler starts: the CLI, the Airflow task bodies, the benchmark mains, ``__main__`` modules
and ``settings.py`` itself, and a module's own ``main()`` (``python -m``). Everywhere else,
these calls are refused by this test. The catalog loaders' own default (the catalog shipped,
or ``IMPACT_CATALOG_DIR``) serves the edges: a job passes its Settings' catalog folder.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "include" / "impact_warehouse"

EDGE_FOLDERS = ("cli", "orchestration", "benchmarks")
EDGE_FILES = ("settings.py", "organisations.py", "__main__.py")
# Each reads the environment's folders (paths(), or a default derived from it).
ENVIRONMENT_READERS = {"paths"}
# Catalog loaders default to the environment's catalog folder when called without one.
CATALOG_LOADERS = {
    "load_catalog",
    "load_covariates",
    "load_targets",
    "load_voice_codebook",
    "catalog_labels",
    "measure_type_labels",
    "load_organisation",
    "configured_calendar",
}


def _is_edge(path: Path) -> bool:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] in EDGE_FOLDERS or relative.name in EDGE_FILES


def _called_name(call: ast.Call) -> str | None:
    function = call.func
    if isinstance(function, ast.Name):
        return function.id
    if isinstance(function, ast.Attribute):
        return function.attr
    return None


def _calls_outside_main(tree: ast.AST) -> list[ast.Call]:
    calls = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef) and node.name == "main":
            continue
        if isinstance(node, ast.Call):
            calls.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return calls


def environment_reads_outside_the_edges() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if _is_edge(path):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _calls_outside_main(tree):
            name = _called_name(node)
            where = f"{path.relative_to(PACKAGE)}:{node.lineno} {name}()"
            if name in ENVIRONMENT_READERS:
                found.append(where)
            elif name in CATALOG_LOADERS and not node.args and not node.keywords:
                found.append(f"{where} without a catalog folder")
    return found


def test_only_the_edges_read_the_environments_folders() -> None:
    assert environment_reads_outside_the_edges() == []


def test_the_walk_finds_a_read_in_a_job_and_skips_main() -> None:
    """The walk sees what it looks for (it would also pass on an empty package)."""
    sample = ast.parse(
        "def job():\n    return paths().work\n"
        "def main():\n    return load_catalog()\n"
        "def other():\n    return load_catalog(settings.catalog)\n"
    )
    assert [_called_name(call) for call in _calls_outside_main(sample)] == [
        "load_catalog",
        "paths",
    ]
    assert len(list(PACKAGE.rglob("*.py"))) > 100, PACKAGE


def test_the_audit_file_follows_the_work_folder_unless_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from impact_warehouse.settings import Settings, paths

    monkeypatch.setenv("IMPACT_WORK_DIR", str(tmp_path / "work"))
    monkeypatch.delenv("IMPACT_WAREHOUSE_PATH", raising=False)
    settings = paths()
    assert settings.audit_warehouse == tmp_path / "work" / "warehouse" / "audit.duckdb"
    # A copy with another work folder (a draft, an organisation) keeps nothing of the first.
    other = replace(settings, work=tmp_path / "other")
    assert other.audit_warehouse == tmp_path / "other" / "warehouse" / "audit.duckdb"
    assert Settings.for_work_dir(tmp_path / "w", tmp_path / "i").audit_warehouse == (
        tmp_path / "w" / "warehouse" / "audit.duckdb"
    )
    monkeypatch.setenv("IMPACT_WAREHOUSE_PATH", str(tmp_path / "elsewhere" / "a.duckdb"))
    assert paths().audit_warehouse == tmp_path / "elsewhere" / "a.duckdb"
