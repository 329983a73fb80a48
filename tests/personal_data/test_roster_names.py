"""A roster is built from a collection of names; one string is refused rather than read as
its characters (each too short to be a name: the roster would be silently empty)."""

from __future__ import annotations

import pytest

from impact_warehouse.personal_data import find_personal_data
from impact_warehouse.personal_data.names import RosterNames


def test_one_string_is_refused_without_echoing_it() -> None:
    with pytest.raises(TypeError, match="not one string") as refused:
        RosterNames("山田花子")

    assert "山田" not in str(refused.value)


def test_a_list_of_one_name_finds_it() -> None:
    findings = find_personal_data("担当の山田花子さんに感謝", names=RosterNames(["山田花子"]))

    assert findings


def test_mask_personal_data_refuses_one_string_as_names(tmp_path) -> None:
    from impact_warehouse.quality.privacy_masking import mask_personal_data

    with pytest.raises(TypeError, match="not one string"):
        mask_personal_data(tmp_path / "audit.duckdb", names="原田 真由美")  # type: ignore[arg-type]
