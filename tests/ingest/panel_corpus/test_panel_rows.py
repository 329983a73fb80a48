"""Row-level bad input in a panel delivery: the bad row is rejected with its reason, every
other row of the file lands, and received == landed + already_landed + rejected."""

from __future__ import annotations

from datetime import datetime

import pytest
from panel_support import WAVE, PanelInbox

from impact_warehouse.sources.panel_answer_time import parse_answered_at

BAD = f"{WAVE}_bad.csv"
BAD_XLSX = f"{WAVE}_bad.xlsx"


def _rows_of(inbox: PanelInbox, name: str) -> dict[int, dict]:
    return {r["row_number"]: r for r in inbox.responses() if r["source_file"] == name}


def _rejected(inbox: PanelInbox, name: str, reason: str) -> list[dict]:
    return [r for r in inbox.quarantine(name) if r["reason_code"] == reason]


def _assert_rows(inbox: PanelInbox, name: str, *, landed: list[int], rejected: int) -> None:
    unit = inbox.summaries[name]
    assert unit["received"] == len(landed) + rejected
    assert unit["landed"] == len(landed) and unit["rejected"] == rejected
    assert sorted(_rows_of(inbox, name)) == landed


def test_short_row_is_rejected_alone(inbox, with_good):
    rows = [inbox.row("S0000001"), inbox.row("S0000002")[:7], inbox.row("S0000003")]
    inbox.write_csv(BAD, rows)
    with_good()
    _assert_rows(inbox, BAD, landed=[2, 4], rejected=1)
    (record,) = _rejected(inbox, BAD, "short_row")
    assert record["record_ref"] == f"{BAD} row 3"
    assert record["detail"] == f"7 cells, the header has {len(inbox.headers)}"
    assert record["raw_vault_path"]  # the row (with the vendor's sample id) is in the vault
    assert "S0000002" not in str(inbox.quarantine())


def test_long_row_is_rejected_alone(inbox, with_good):
    rows = [inbox.row("S0000001"), [*inbox.row("S0000002"), "extra, unquoted"]]
    inbox.write_csv(BAD, [*rows, inbox.row("S0000003")])
    with_good()
    _assert_rows(inbox, BAD, landed=[2, 4], rejected=1)
    (record,) = _rejected(inbox, BAD, "long_row")
    assert record["record_ref"] == f"{BAD} row 3"
    assert f"the header has {len(inbox.headers)}" in record["detail"]


def test_trailing_empty_cells_are_not_a_long_row(inbox, with_good):
    inbox.write_csv(BAD, [[*inbox.row("S0000001"), "", ""]])
    with_good()
    _assert_rows(inbox, BAD, landed=[2], rejected=0)


def test_long_row_in_xlsx_is_rejected_and_short_xlsx_rows_are_padded(inbox, with_good):
    short = inbox.row("S0000002")[:7]  # XLSX rows stop at their last filled cell
    inbox.write_xlsx(BAD_XLSX, [inbox.row("S0000001"), short, [*inbox.row("S0000003"), "x"]])
    with_good()
    _assert_rows(inbox, BAD_XLSX, landed=[2, 3], rejected=1)
    assert [r["record_ref"] for r in _rejected(inbox, BAD_XLSX, "long_row")] == [
        f"{BAD_XLSX} row 4"
    ]


def test_repeated_header_in_the_middle_is_not_a_respondent(inbox, with_good):
    rows = [inbox.row("S0000001"), list(inbox.headers), inbox.row("S0000003")]
    inbox.write_csv(BAD, rows)
    with_good()
    _assert_rows(inbox, BAD, landed=[2, 4], rejected=1)
    (record,) = _rejected(inbox, BAD, "repeated_header")
    assert record["record_ref"] == f"{BAD} row 3"
    assert "header" in record["detail"]
    assert "サンプルID" not in {r["sample_pseudonym"] for r in inbox.responses()}


def test_partly_repeated_header_is_caught_by_its_first_cell(inbox, with_good):
    rows = [inbox.row("S0000001"), ["サンプルID", "年齢"], inbox.row("S0000003")]
    inbox.write_csv(BAD, rows)
    with_good()
    _assert_rows(inbox, BAD, landed=[2, 4], rejected=1)
    assert len(_rejected(inbox, BAD, "repeated_header")) == 1


def test_blank_sample_id_is_rejected(inbox, with_good):
    inbox.write_csv(BAD, [inbox.row("S0000001"), inbox.row(""), inbox.row("S0000003")])
    with_good()
    _assert_rows(inbox, BAD, landed=[2, 4], rejected=1)
    (record,) = _rejected(inbox, BAD, "missing_id")
    assert record["record_ref"] == f"{BAD} row 3" and "サンプルID is blank" in record["detail"]


@pytest.mark.parametrize("answered_at", ["", "昨日の夜", "2026/13/40 25:61", "16/01/2026 21:03"])
def test_unreadable_answer_time_is_rejected_with_the_text(inbox, with_good, answered_at):
    rows = [inbox.row("S0000001"), inbox.row("S0000002", answered_at), inbox.row("S0000003")]
    inbox.write_csv(BAD, rows)
    with_good()
    _assert_rows(inbox, BAD, landed=[2, 4], rejected=1)
    (record,) = _rejected(inbox, BAD, "unparseable_date")
    assert record["record_ref"] == f"{BAD} row 3"
    assert f"回答日時 {answered_at!r} cannot be read" in record["detail"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026/01/16 21:03:12", "2026-01-16T21:03:12"),
        ("2026-01-16T21:03", "2026-01-16T21:03:00"),
        ("2026/1/6 9:03", "2026-01-06T09:03:00"),
        ("2026-01-16T12:03:12Z", "2026-01-16T21:03:12"),
        ("2026-01-16 13:03:12+01:00", "2026-01-16T21:03:12"),
        ("2026年1月16日 21時03分12秒", "2026-01-16T21:03:12"),
        ("2026/01/16 午後9:03", "2026-01-16T21:03:00"),
        ("２０２６／０１／１６　２１：０３", "2026-01-16T21:03:00"),
        ("46038.875", "2026-01-16T21:00:00"),
        ("2026/01/16", "2026-01-16T00:00:00"),
    ],
)
def test_vendor_answer_time_formats(text, expected):
    parsed = parse_answered_at(text)
    assert parsed is not None and parsed.isoformat() == expected


def test_answer_times_in_other_formats_land_as_one_instant(inbox, with_good):
    # The same answer re-sent by another export (XLSX date cell, zone, Japanese) is the same
    # record; only a genuinely later answer is new.
    inbox.write_csv(BAD, [inbox.row("S0000001", "2026/01/16 21:03:12")])
    row: list = inbox.row("S0000001")
    row[4] = datetime(2026, 1, 16, 21, 3, 12)  # a typed date cell
    inbox.write_xlsx(BAD_XLSX, [row])
    with_good()
    assert inbox.summaries[BAD]["landed"] == 1
    assert inbox.summaries[BAD_XLSX]["already_landed"] == 1


def test_two_rows_of_one_respondent_both_land_later_one_first(inbox, with_good):
    rows = [
        inbox.row("S0000001", "2026/01/17 09:00:00", confidence="9"),
        inbox.row("S0000002"),
        inbox.row("S0000001", "2026/01/16 21:00:00", confidence="3"),
    ]
    inbox.write_csv(BAD, rows)
    with_good()
    _assert_rows(inbox, BAD, landed=[2, 3, 4], rejected=0)
    assert inbox.quarantine(BAD) == []  # an earlier answer is not a duplicate
    assert any("superseded" in note for note in inbox.summaries[BAD]["notes"])
    landed = _rows_of(inbox, BAD)
    assert landed[2]["answered_at_local"] == "2026-01-17T09:00:00"
    assert landed[4]["answered_at_local"] == "2026-01-16T21:00:00"
    assert landed[2]["sample_pseudonym"] == landed[4]["sample_pseudonym"]


def test_equal_time_different_answers_are_both_quarantined(inbox, with_good):
    rows = [
        inbox.row("S0000001", confidence="9"),
        inbox.row("S0000002"),
        inbox.row("S0000001", confidence="3"),
        inbox.row("S0000004", "2026/01/15 10:00"),
        inbox.row("S0000004", "2026/01/16 10:00", confidence="3"),
        inbox.row("S0000004", "2026/01/16 10:00", confidence="4"),
    ]
    inbox.write_csv(BAD, rows)
    with_good()
    # S0000004's earlier row stays: the quarantined rows are as if never received.
    _assert_rows(inbox, BAD, landed=[3, 5], rejected=4)
    conflicts = _rejected(inbox, BAD, "conflicting_rows")
    assert sorted(r["record_ref"] for r in conflicts) == [f"{BAD} row {n}" for n in (2, 4, 6, 7)]
    assert all("different answers; all excluded" in r["detail"] for r in conflicts)
    assert all(r["raw_vault_path"] for r in conflicts)  # both versions kept for staff


def test_identical_rows_are_one_record(inbox, with_good):
    rows = [inbox.row("S0000001"), inbox.row("S0000002"), inbox.row("S0000001")]
    inbox.write_csv(BAD, rows)
    with_good()
    _assert_rows(inbox, BAD, landed=[2, 3], rejected=1)
    (record,) = _rejected(inbox, BAD, "duplicate_record")
    assert record["record_ref"] == f"{BAD} row 4" and "as row 2" in record["detail"]


def test_resent_delivery_lands_nothing_new(inbox, with_good):
    inbox.write_csv(BAD, [inbox.row("S0000001"), inbox.row("S0000002")])
    with_good()
    second = inbox.land()
    assert second[BAD]["already_landed"] == 2 and second[BAD]["landed"] == 0
    assert len(_rows_of(inbox, BAD)) == 2


def test_conflict_with_an_earlier_delivery_lands_and_is_reported(inbox, with_good):
    inbox.write_csv(f"{WAVE}_1.csv", [inbox.row("S0000001", confidence="9")])
    with_good()
    inbox.write_csv(f"{WAVE}_2.csv", [inbox.row("S0000001", confidence="3")])
    summaries = inbox.land()
    assert summaries[f"{WAVE}_2.csv"]["landed"] == 1
    (record,) = _rejected(inbox, f"{WAVE}_2.csv", "conflicting_rows")
    assert "earlier delivery" in record["detail"] and "excluded downstream" in record["detail"]


def test_out_of_scale_answer_keeps_the_rest_of_the_row(inbox, with_good):
    inbox.write_csv(BAD, [inbox.row("S0000001", confidence="11")])
    with_good()
    _assert_rows(inbox, BAD, landed=[2], rejected=0)
    (record,) = _rejected(inbox, BAD, "out_of_scale")
    assert record["value"] == "11" and record["detail"].startswith("career_confidence")


def test_every_kind_of_bad_row_in_one_file(inbox, with_good):
    rows = [
        inbox.row("S0000001"),
        inbox.row("S0000002")[:5],
        [*inbox.row("S0000003"), "x"],
        list(inbox.headers),
        inbox.row(""),
        inbox.row("S0000006", "不明"),
        inbox.row("S0000001"),
        inbox.row("S0000008"),
    ]
    inbox.write_csv(BAD, rows)
    with_good()
    _assert_rows(inbox, BAD, landed=[2, 9], rejected=6)
    assert inbox.reasons(BAD) == sorted(
        [
            "duplicate_record",
            "long_row",
            "missing_id",
            "repeated_header",
            "short_row",
            "unparseable_date",
        ]
    )
