"""Time-use items are catalog data: items.csv time_use_role, each role once, all four or none."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from impact_warehouse.catalog import CatalogError, load_catalog
from impact_warehouse.catalog.time_use import TIME_USE_ROLES
from impact_warehouse.settings import BUILTIN_CATALOG_DIR


def _items_with(tmp_path: Path, roles: dict[str, str]) -> Path:
    seeds = tmp_path / "catalog"
    shutil.copytree(BUILTIN_CATALOG_DIR, seeds)
    path = seeds / "items.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["time_use_role"] = roles.get(row["item_code"], "")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return seeds


def test_mamabono_declares_its_four_hours_items() -> None:
    roles = {item.time_use_role: code for code, item in load_catalog().items.items()}
    assert {role: roles[role] for role in TIME_USE_ROLES} == {
        "self_weekday": "housework_hours_weekday_self",
        "self_weekend": "housework_hours_weekend_self",
        "partner_weekday": "housework_hours_weekday_partner",
        "partner_weekend": "housework_hours_weekend_partner",
    }


def test_a_catalog_without_time_use_items_is_valid(tmp_path: Path) -> None:
    catalog = load_catalog(_items_with(tmp_path, {}))
    assert not any(item.time_use_role for item in catalog.items.values())


@pytest.mark.parametrize(
    ("roles", "words"),
    [
        ({"housework_hours_weekday_self": "self_weekdays"}, "is not a time-use role"),
        ({"respondent_name": "self_weekday"}, "give it an hours scale"),
        ({"housework_hours_weekday_self": "self_weekday"}, "time use needs all of"),
        (
            {
                "housework_hours_weekday_self": "self_weekday",
                "housework_hours_weekend_self": "self_weekday",
            },
            "give each role to one item",
        ),
    ],
)
def test_unusable_roles_name_the_file_and_the_fix(
    tmp_path: Path, roles: dict[str, str], words: str
) -> None:
    with pytest.raises(CatalogError, match=r"items\.csv") as error:
        load_catalog(_items_with(tmp_path, roles))
    assert words in str(error.value)
