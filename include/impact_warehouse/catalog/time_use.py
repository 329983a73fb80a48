"""Time-use items (``items.csv`` ``time_use_role``): which items hold the hours per day that
METRICS.md "Time use" averages, so the time-use model and the gate never name an item.

A catalog has all four roles or none: the weekly average per day needs the weekday and
weekend hours of both the respondent and the partner.
"""

from __future__ import annotations

from collections.abc import Iterable

from impact_warehouse.catalog.errors import CatalogError

FILE_NAME = "items.csv"
# "<spouse>_<day>": the model pivots on the spouse, the gate sums the two spouses per day.
TIME_USE_ROLES = ("self_weekday", "self_weekend", "partner_weekday", "partner_weekend")
NUMERIC_VALUE_TYPES = frozenset({"integer", "decimal"})  # scales.csv value_type


def read_time_use_role(line: int, item_code: str, value: str, value_type: str) -> str | None:
    """The role of one row of ``items.csv`` (None: not a time-use item)."""
    role = value.strip()
    if not role:
        return None
    if role not in TIME_USE_ROLES:
        raise CatalogError(
            f"{FILE_NAME} line {line}: 'time_use_role'={role!r} of item {item_code} is not a "
            f"time-use role; write one of {', '.join(TIME_USE_ROLES)}, or leave it empty"
        )
    if value_type not in NUMERIC_VALUE_TYPES:
        raise CatalogError(
            f"{FILE_NAME} line {line}: item {item_code} has time_use_role {role} but its scale "
            f"holds {value_type} values; give it an hours scale or leave time_use_role empty"
        )
    return role


def check_time_use_roles(roles: Iterable[tuple[str, str]]) -> None:
    """Every role once, and all four or none (``roles``: (item_code, role) pairs)."""
    by_role: dict[str, list[str]] = {}
    for item_code, role in roles:
        by_role.setdefault(role, []).append(item_code)
    for role, items in by_role.items():
        if len(items) > 1:
            raise CatalogError(
                f"{FILE_NAME}: time_use_role {role} is given to items {', '.join(items)}; "
                "give each role to one item"
            )
    missing = [role for role in TIME_USE_ROLES if role not in by_role]
    if by_role and missing:
        raise CatalogError(
            f"{FILE_NAME}: time_use_role {', '.join(missing)} is on no item; time use needs "
            f"all of {', '.join(TIME_USE_ROLES)} (or none: clear the column)"
        )
