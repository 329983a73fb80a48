"""A panel header that holds personal data is reported to staff scrubbed: unmatched headers
go to run summaries, task logs and Airflow's XCom."""

from __future__ import annotations

from panel_support import WAVE, PanelInbox


def test_an_unmatched_header_with_personal_data_is_reported_scrubbed(
    inbox: PanelInbox,
) -> None:
    inbox.headers = [*inbox.headers, "Q24. 備考（担当 090-1234-5678 hanako9@example.com）"]
    inbox.write_csv(f"{WAVE}_extra.csv", [[*inbox.row("EXTRA001"), "-"]])

    summary = inbox.land()[f"{WAVE}_extra.csv"]

    (shown,) = summary["unmatched_questions"]
    assert "Q24. 備考" in shown and "[phone_" in shown and "[email_" in shown
    assert "1234-5678" not in shown and "hanako9" not in shown
