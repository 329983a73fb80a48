import dataclasses

import pytest

from impact_warehouse.catalog import load_catalog
from impact_warehouse.catalog.answers import check_answer

SCALES = load_catalog().scales


@pytest.mark.parametrize(
    ("scale", "raw", "value", "reason"),
    [
        ("score10", "７", 7.0, None),
        ("score10", " 6 ", 6.0, None),
        ("score10", "11", None, "out_of_scale"),
        ("score10", "0", None, "out_of_scale"),
        ("score10", "6.5", None, "out_of_scale"),
        ("anxiety10", "3", 3.0, None),
        ("hours", "２．５", 2.5, None),
        ("hours", "25", None, "out_of_scale"),
        ("hours", "2時間半", None, "unparseable_value"),
        ("hours", "nan", None, "unparseable_value"),
        ("likert4", "ややそう思う", 3.0, None),
        ("likert4", "どちらでもない", None, "unknown_label"),
        ("yesno", "いいえ", 0.0, None),
    ],
)
def test_answers_are_nfkc_normalised_before_the_scale_decides(scale, raw, value, reason):
    check = check_answer(SCALES[scale], raw)
    assert (check.value, check.reason_code) == (value, reason)
    if reason:
        assert check.detail


@pytest.mark.parametrize(
    ("raw", "value", "reason"),
    [
        # as the label is written: valid (the warehouse counts it too)
        ("ふつう（どちらでもない）", 2.0, None),
        ("　ふつう（どちらでもない）\n", 2.0, None),
        # the warehouse does not fold brackets: neither does the check
        ("ふつう(どちらでもない)", None, "unknown_label"),
        ("はい", 1.0, None),
        # DuckDB's trim() removes every Unicode space separator, and nothing else
        ("はい\u00a0", 1.0, None),
        ("\u2003いいえ", 0.0, None),
    ],
)
def test_labels_are_matched_as_the_warehouse_matches_them(raw, value, reason):
    """A label with full-width brackets was reported as unknown for every answer written
    exactly as it, while the warehouse counted them all (dbt's normalise_digits reads
    answers and labels alike: digits, signs and spaces, not brackets)."""
    scale = dataclasses.replace(
        SCALES["yesno"],
        scale_code="middle3",
        labels={"いいえ": 0, "ふつう（どちらでもない）": 2, "はい　": 1},
    )
    check = check_answer(scale, raw)
    assert (check.value, check.reason_code) == (value, reason)
