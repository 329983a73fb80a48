"""Personal data typed into any cell of an operations workbook, identifiers included, lands
redacted: the gate's privacy scan leaves identifier columns (``*_id``, ``*_code``) alone, so
a project ID cell holding a member's name and phone number was published as typed."""

from __future__ import annotations

from operations_workbooks import OperationsInbox, good_sheets, roster_row

TYPED_PROJECT = "P01 太田美紀 090-1234-5678"
TYPED_ORGANISATION = "O01 連絡は hanako.tanaka@example.jp まで"


def _sheets_with_typed_personal_data() -> dict:
    sheets = good_sheets()
    member = roster_row(6)
    member[0] = "太田 美紀"
    member[6] = TYPED_PROJECT
    sheets["参加者名簿"].append(member)
    sheets["プロジェクト"][1][4] = TYPED_ORGANISATION
    return sheets


def test_personal_data_in_identifier_cells_lands_redacted(inbox: OperationsInbox) -> None:
    inbox.write("運営管理.xlsx", _sheets_with_typed_personal_data())

    summary = inbox.land()["運営管理.xlsx"]

    assert summary["received"] == summary["landed"] == 10
    landed = str(inbox.landed("roster")) + str(inbox.landed("projects"))
    for typed in ("太田", "美紀", "1234-5678", "hanako.tanaka", "example.jp まで"):
        assert typed not in landed
    (member,) = [row for row in inbox.landed("roster") if row["project_id"] != "P01"]
    assert member["project_id"].startswith("P01 [") and "[phone_" in member["project_id"]
    (project,) = inbox.landed("projects")
    assert project["organisation_id"].startswith("O01 連絡は [email_")

    rows = [
        row
        for row in inbox.quarantined("運営管理.xlsx")
        if row["reason_code"] == "personal_data_in_field"
    ]
    assert sorted(row["detail"].split(":")[0] for row in rows) == [
        "プロジェクト 支援先団体ID",
        "参加者名簿 チーム・プロジェクト",
    ]
    assert {row["value"] for row in rows} == {member["project_id"], project["organisation_id"]}
    assert "太田" not in str(rows) and "hanako" not in str(rows)
    vault = {path.read_text(encoding="utf-8").strip() for path in inbox.vault_files()}
    assert {TYPED_PROJECT, TYPED_ORGANISATION} <= vault


def test_a_redacted_row_is_not_landed_again_on_the_next_run(inbox: OperationsInbox) -> None:
    inbox.write("運営管理.xlsx", _sheets_with_typed_personal_data())
    inbox.land()
    quarantined = len(inbox.quarantined("運営管理.xlsx"))

    again = inbox.land()["運営管理.xlsx"]

    assert (again["landed"], again["already_landed"]) == (0, 10)
    assert len(inbox.landed("roster")) == 6
    assert len(inbox.quarantined("運営管理.xlsx")) == quarantined


def test_a_header_holding_personal_data_is_reported_scrubbed(inbox: OperationsInbox) -> None:
    """Unmatched headers and unknown sheet names go to run summaries, task logs and
    Airflow's XCom, which staff open: they are typed too, and scrubbed like answers."""
    sheets = good_sheets()
    sheets["参加者名簿"][0].append("連絡先 太田美紀 090-1234-5678")
    for row in sheets["参加者名簿"][1:]:
        row.append("")
    sheets["担当 hanako.tanaka@example.jp"] = [["メモ"], ["-"]]
    inbox.write("運営管理.xlsx", sheets)

    summary = inbox.land()["運営管理.xlsx"]

    shown = str(summary["unmatched_questions"]) + str(summary["notes"])
    assert "連絡先" in shown and "[phone_" in shown and "[email_" in shown
    for typed in ("1234-5678", "hanako.tanaka"):
        assert typed not in shown


def test_bidi_controls_in_a_cell_are_removed(inbox: OperationsInbox) -> None:
    """A cell shown right to left (U+202E) would display a phone number the detector, which
    reads the stored order, never saw."""
    sheets = good_sheets()
    sheets["プロジェクト"][1][3] = "広報 \u202e8765-4321-090\u202c"
    inbox.write("運営管理.xlsx", sheets)

    summary = inbox.land()["運営管理.xlsx"]

    (project,) = inbox.landed("projects")
    assert project["project_name"] == "広報 8765-4321-090"
    assert summary["normalised"]["bidi_controls_removed"] == 2
