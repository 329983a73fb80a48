"""Dates and emails as staff write them land as the same facts and the same people.

Issue 11's scenario: a workbook re-sent with its dates typed as text and its emails pasted
with invisible characters or a look-alike letter made support measures 2 → 4 and
participants 57 → 60. Here they stay 2 and 57.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from operations_workbooks import OperationsInbox, good_sheets, roster_row

from impact_warehouse.landing.emails import email_problem
from impact_warehouse.landing.privacy import normalise_email
from impact_warehouse.sources.operations_workbook import UnparseableDate, parse_japanese_date


@pytest.mark.parametrize(
    "written",
    [
        "2026-10-04",
        "2026/10/4",
        "2026.10.04",
        "2026年10月4日",
        "2026年10月4日(日)",
        "２０２６年１０月４日",
        "2026/10/04 0:00:00",
        "20261004",
        "R8.10.4",
        "R08/10/04",
        "r8.10.4",
        "令和8年10月4日",
        "令和８年１０月４日",
        "㋿8年10月4日",
        46299,
        46299.0,
        "46299",
        datetime(2026, 10, 4, 0, 0),
        date(2026, 10, 4),
    ],
)
def test_every_japanese_form_of_a_day_is_the_same_iso_date(written: object) -> None:
    assert parse_japanese_date(written) == "2026-10-04"


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("H31.4.30", "2019-04-30"),
        ("平成31年4月30日", "2019-04-30"),
        ("令和元年5月1日", "2019-05-01"),
        ("R1.5.1", "2019-05-01"),
        ("平成元年1月8日", "1989-01-08"),
        ("S64.1.7", "1989-01-07"),
    ],
)
def test_era_boundaries(written: str, iso: str) -> None:
    assert parse_japanese_date(written) == iso


@pytest.mark.parametrize(
    "written",
    ["R1.4.30", "H31.5.1", "S64.1.8", "2026/13/1", "10/4", "未定", "2026年10月", 1.5, 123, True],
)
def test_what_is_not_a_day_is_refused(written: object) -> None:
    with pytest.raises(UnparseableDate):
        parse_japanese_date(written)


@pytest.mark.parametrize(
    "written",
    [
        "person01@example.jp",
        "\u200bperson01@example.jp",  # zero-width space
        "person01\u200f@example.jp",  # right-to-left mark
        "\ufeffperson01@example.jp",  # byte-order mark
        "person\u200d01@exam\u2060ple.jp",  # zero-width joiner, word joiner
        " Person01@Example.JP ",
        "ｐｅｒｓｏｎ０１＠ｅｘａｍｐｌｅ．ｊｐ",
    ],
)
def test_invisible_characters_case_and_width_do_not_make_another_person(written: str) -> None:
    assert normalise_email(written) == "person01@example.jp"
    assert email_problem(written) is None


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("pers\u043en01@example.jp", "local part mixes scripts"),  # Cyrillic о
        ("person01@ex\u0430mple.jp", "domain mixes scripts"),  # Cyrillic а
        ("p\u0435rson01@example.jp", "local part mixes scripts"),  # Cyrillic е
        ("person01@@example.jp", "exactly one @"),
        ("person 01@example.jp", "space"),
        ("person01@localhost", "not a complete address"),
    ],
)
def test_look_alikes_and_broken_addresses_are_refused(written: str, problem: str) -> None:
    assert problem in (email_problem(written) or "")


def test_japanese_and_single_script_addresses_are_accepted() -> None:
    assert email_problem("たろう山田@例え.jp") is None
    assert email_problem("иван@пример.рф") is None


def test_resent_workbook_with_text_dates_and_altered_emails_makes_no_phantoms(
    inbox: OperationsInbox,
) -> None:
    original = good_sheets(participants=57)
    inbox.write("運営管理_FY2026.xlsx", original)
    first = inbox.land()["運営管理_FY2026.xlsx"]
    assert first["landed"] == 57 + 1 + 1 + 2

    resent = good_sheets(participants=57)
    resent["施策・イベント"][1][0] = "2026年10月4日"
    resent["施策・イベント"][2][0] = "R8.11.8"
    altered = {
        1: "\u200bperson01@example.jp",
        2: "person02\u200f@example.jp",
        3: "\ufeffPerson03@example.jp",
        4: "pers\u043en04@example.jp",  # Cyrillic о: refused, not a new person
        5: "person05@ex\u0430mple.jp",  # Cyrillic а in the domain
        6: "ｐｅｒｓｏｎ06@example.jp",
    }
    for number, email in altered.items():
        resent["参加者名簿"][number] = roster_row(number, email=email)
    inbox.write("運営管理_FY2026_再送.xlsx", resent)

    second = inbox.land()["運営管理_FY2026_再送.xlsx"]

    assert second["landed"] == 0
    assert second["rejected"] == 2
    assert second["quarantined"] == {"suspicious_email": 2}
    assert second["already_landed"] == 57 - 2 + 1 + 1 + 2
    assert second["balanced"]
    participants = {row["participant_pseudonym"] for row in inbox.landed("roster")}
    measures = {
        (row["held_on"], row["support_measure_type_ja"], row["program_name_ja"], row["title"])
        for row in inbox.landed("support_measures")
    }
    assert (len(participants), len(measures)) == (57, 2)
