"""The columns a release adds to dbt's tables, described in the release's docs site too.

The docs site (:mod:`impact_warehouse.transform.docs_site`) is dbt's description of the
audit warehouse; the analyst copy adds columns dbt never built (``organisation_code``,
:mod:`.snapshot`). Each such column is added to the site's ``manifest.json`` and
``catalog.json``, and to the copies of both inlined in ``index.html``, from the comment the
release file carries, so an analyst finds every column of the file described.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import duckdb

from impact_warehouse.publish.snapshot import PUBLISHED_SCHEMAS

log = logging.getLogger(__name__)

_DOCUMENTED_NODES = ("model", "seed")


def _release_columns(warehouse: Path) -> list[tuple[str, str, str, int, str, str]]:
    placeholders = ", ".join("?" for _ in PUBLISHED_SCHEMAS)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(
            "select schema_name, table_name, column_name, column_index, data_type, comment "
            f"from duckdb_columns() where schema_name in ({placeholders}) "
            "and comment is not null order by all",
            list(PUBLISHED_SCHEMAS),
        ).fetchall()


def _add_to_catalog(node: dict[str, Any], column: str, index: int, data_type: str) -> None:
    columns = node["columns"]
    if column in columns:
        return
    for entry in columns.values():
        if entry.get("index", 0) >= index:
            entry["index"] += 1
    node["columns"] = {
        column: {"type": data_type, "index": index, "name": column, "comment": None},
        **columns,
    }


def describe_added_columns(docs: Path, warehouse: Path) -> int:
    """Describe in ``docs`` each column of ``warehouse`` dbt does not know; how many."""
    manifest_path, catalog_path = docs / "manifest.json", docs / "catalog.json"
    if not manifest_path.is_file() or not catalog_path.is_file():
        return 0
    manifest_text = manifest_path.read_text(encoding="utf-8")
    catalog_text = catalog_path.read_text(encoding="utf-8")
    manifest, catalog = json.loads(manifest_text), json.loads(catalog_text)
    nodes = {
        (node["schema"], node.get("alias") or node["name"]): node
        for node in manifest["nodes"].values()
        if node["resource_type"] in _DOCUMENTED_NODES
    }
    added = 0
    for schema, table, column, index, data_type, comment in _release_columns(warehouse):
        node = nodes.get((schema, table))
        if node is None or column in node["columns"]:
            continue
        node["columns"] = {
            column: {"name": column, "description": comment, "data_type": data_type},
            **node["columns"],
        }
        catalog_node = catalog["nodes"].get(node["unique_id"])
        if catalog_node is not None:
            _add_to_catalog(catalog_node, column, index, data_type)
        added += 1
    if not added:
        return 0
    new_manifest, new_catalog = json.dumps(manifest), json.dumps(catalog)
    manifest_path.write_text(new_manifest, encoding="utf-8")
    catalog_path.write_text(new_catalog, encoding="utf-8")
    index_path = docs / "index.html"
    if index_path.is_file():
        # dbt inlined both files' text as it was; the site then shows the added columns too.
        page = index_path.read_text(encoding="utf-8")
        if manifest_text in page and catalog_text in page:
            page = page.replace(manifest_text, new_manifest, 1).replace(
                catalog_text, new_catalog, 1
            )
            index_path.write_text(page, encoding="utf-8")
        else:
            log.warning("%s: inlined manifest not found; the page lacks the added columns", docs)
    return added
