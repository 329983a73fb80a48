"""Whole-file bad input in the panel inbox: each kind is accepted under the documented
encoding rule or refused whole with its reason and a precise message, and the good
delivery beside it always lands (issue 11)."""

from __future__ import annotations

import logging
import os
import zipfile

import pytest
from panel_support import WAVE, PanelInbox

BAD = f"{WAVE}_bad.csv"
BAD_XLSX = f"{WAVE}_bad.xlsx"
SAMPLES = ("BAD00001", "BAD00002")


def _euc_jp(text: str) -> bytes:
    # The vendor headers carry "～" (U+FF5E, CP932's wave dash); EUC-JP spells it U+301C.
    return text.replace("\uff5e", "\u301c").encode("euc_jp")


def _rows(inbox: PanelInbox) -> list[list[str]]:
    return [inbox.row(sample) for sample in SAMPLES]


@pytest.mark.parametrize(
    ("kind", "encoding", "bom", "note"),
    [
        ("utf16_le_bom", "utf-16-le", b"\xff\xfe", "encoding utf-16-le"),
        ("utf16_be_bom", "utf-16-be", b"\xfe\xff", "encoding utf-16-be"),
        ("utf8_bom", "utf-8", b"\xef\xbb\xbf", "encoding utf-8-sig"),
        ("utf8_without_bom", "utf-8", b"", "encoding utf-8"),
        ("cp932", "cp932", b"", "encoding cp932"),
    ],
)
def test_every_accepted_encoding_lands_with_correct_japanese(
    inbox, with_good, kind, encoding, bom, note
):
    inbox.write_csv(BAD, _rows(inbox), encoding, bom=bom)
    summaries = with_good()
    unit = summaries[BAD]
    assert note in unit["notes"], kind
    assert unit["landed"] == 2 and unit["rejected"] == 0
    landed = [r for r in inbox.responses() if r["source_file"] == BAD]
    assert {r["region"] for r in landed} == {"首都圏"}
    assert {r["source_encoding"] for r in landed} == {note.removeprefix("encoding ")}
    assert all("そう思う" in r["answers"].values() for r in landed)


def test_euc_jp_is_refused_not_read_as_mojibake(inbox, with_good):
    content = _euc_jp(inbox.csv_bytes(_rows(inbox)))
    # Kana-only EUC-JP is valid CP932 byte for byte (half-width katakana): the rule must
    # still tell it apart.
    kana_only = "カイトウ,あいう\r\nいか,うあ\r\n".encode("euc_jp")
    assert kana_only.decode("cp932")
    inbox.write_bytes(BAD, content)
    inbox.write_bytes(f"{WAVE}_kana.csv", kana_only)
    with_good()
    first_high = next(i for i, byte in enumerate(content) if byte >= 0x80)
    record = inbox.assert_file_refused(BAD, "undecodable_file", "offset")
    assert f"offset {first_high}" in record["detail"] or "CP932" in record["detail"]
    inbox.assert_file_refused(f"{WAVE}_kana.csv", "undecodable_file", "EUC-JP", "offset 0")


def test_utf16_without_bom_is_refused_at_its_first_nul(inbox, with_good):
    content = inbox.csv_bytes(_rows(inbox)).encode("utf-16-le")
    inbox.write_bytes(BAD, content)
    with_good()
    first_nul = content.index(b"\x00")  # after "サンプルI": the high byte of "I"
    inbox.assert_file_refused(BAD, "undecodable_file", f"NUL byte at offset {first_nul}")


def test_bytes_of_no_known_encoding_are_refused_with_the_offset(inbox, with_good):
    text = inbox.csv_bytes(_rows(inbox)).encode("cp932")
    offset = text.index(b"\r\n") + 2  # start of the first data row
    # 0x85 0x40 is an unassigned CP932 pair and invalid UTF-8.
    inbox.write_bytes(BAD, text[:offset] + b"\x85\x40" + text[offset:])
    with_good()
    inbox.assert_file_refused(BAD, "undecodable_file", "CP932", f"offset {offset}")


def test_utf8_cut_inside_a_character_is_refused_with_the_offset(inbox, with_good):
    text = inbox.csv_bytes(_rows(inbox)).encode("utf-8") + "回答".encode()
    cut = len(text) - 2  # inside 答 (3 bytes)
    inbox.write_bytes(BAD, text[:cut])
    with_good()
    inbox.assert_file_refused(
        BAD, "undecodable_file", f"offset {cut - 1}", "cut inside a character"
    )


def test_cp932_cut_inside_a_character_is_refused_with_the_offset(inbox, with_good):
    text = inbox.csv_bytes(_rows(inbox)).encode("cp932")
    cut = len(text) - 3  # "そう思う\r\n": inside う
    inbox.write_bytes(BAD, text[:cut])
    with_good()
    inbox.assert_file_refused(BAD, "undecodable_file", f"offset {cut - 1}", "incomplete")


def test_utf16_cut_mid_code_unit_is_refused(inbox, with_good):
    text = b"\xff\xfe" + inbox.csv_bytes(_rows(inbox)).encode("utf-16-le")
    inbox.write_bytes(BAD, text[:-1])
    with_good()
    inbox.assert_file_refused(BAD, "undecodable_file", "utf-16-le", "offset")


@pytest.mark.parametrize(
    ("kind", "content", "message"),
    [
        ("zero_bytes", b"", "empty"),
        ("only_blank_lines", b"\r\n  \r\n\r\n", "empty"),
        ("bom_only", b"\xef\xbb\xbf", "no header row"),
    ],
)
def test_empty_files_are_refused(inbox, with_good, kind, content, message):
    inbox.write_bytes(BAD, content)
    with_good()
    inbox.assert_file_refused(BAD, "empty_file", message)


def test_header_only_csv_is_refused(inbox, with_good):
    inbox.write_bytes(BAD, inbox.csv_bytes([]).encode("cp932"))
    with_good()
    inbox.assert_file_refused(BAD, "empty_file", "header row only")


def test_header_only_xlsx_is_refused(inbox, with_good):
    inbox.write_xlsx(BAD_XLSX, [])
    with_good()
    inbox.assert_file_refused(BAD_XLSX, "empty_file", "header row only")


def test_repeated_header_names_are_refused(inbox, with_good):
    headers = [*inbox.headers, inbox.headers[6]]
    rows = [[*inbox.row("BAD00001"), "そう思う"]]
    inbox.write_bytes(BAD, PanelInbox(inbox.root, headers).csv_bytes(rows).encode("cp932"))
    with_good()
    inbox.assert_file_refused(BAD, "corrupt_file", "header names repeated")


def test_truncated_xlsx_is_refused(inbox, with_good):
    path = inbox.write_xlsx(BAD_XLSX, _rows(inbox))
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])
    with_good()
    inbox.assert_file_refused(BAD_XLSX, "corrupt_file", "XLSX cannot be opened")


def test_csv_renamed_to_xlsx_is_refused(inbox, with_good):
    inbox.write_bytes(BAD_XLSX, inbox.csv_bytes(_rows(inbox)).encode("cp932"))
    with_good()
    inbox.assert_file_refused(BAD_XLSX, "corrupt_file", "not an XLSX", "ZIP")


def test_zip_that_is_not_a_workbook_is_refused(inbox, with_good):
    with zipfile.ZipFile(inbox.folder / BAD_XLSX, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    with_good()
    inbox.assert_file_refused(BAD_XLSX, "corrupt_file", "XLSX cannot be opened")


def test_legacy_or_encrypted_workbook_is_refused(inbox, with_good):
    inbox.write_bytes(BAD_XLSX, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    with_good()
    inbox.assert_file_refused(BAD_XLSX, "corrupt_file", "password-protected")


def test_symlink_to_the_pseudonym_key_is_never_read_nor_printed(inbox, with_good, caplog):
    secret = "pseudonym-key-0123456789abcdef-never-print-me"
    key = inbox.root / "work" / "secrets" / "pseudonym.key"
    key.parent.mkdir(parents=True)
    key.write_text(secret + "\n", encoding="utf-8")
    (inbox.folder / f"{WAVE}_key.csv").symlink_to(key)
    with caplog.at_level(logging.DEBUG):
        summaries = with_good()
    inbox.assert_file_refused(f"{WAVE}_key.csv", "not_a_regular_file", "symbolic link")
    assert secret not in repr(summaries) and secret not in caplog.text
    for path in (inbox.root / "work").rglob("*"):
        if path.is_file() and path != key:
            assert secret.encode() not in path.read_bytes(), path


def test_symlink_to_a_good_delivery_is_not_followed(inbox, with_good):
    target = inbox.root / "elsewhere.csv"
    target.write_bytes(inbox.csv_bytes(_rows(inbox)).encode("cp932"))
    (inbox.folder / BAD).symlink_to(target)
    with_good()
    inbox.assert_file_refused(BAD, "not_a_regular_file", "not followed")


@pytest.mark.parametrize("name", [f".{WAVE}.csv", f"._{WAVE}.csv", f"~${WAVE}.xlsx"])
def test_hidden_and_lock_files_are_not_read(inbox, with_good, name):
    inbox.write_bytes(name, inbox.csv_bytes(_rows(inbox)).encode("cp932"))
    with_good()
    inbox.assert_file_refused(name, "not_a_regular_file", "hidden")


def test_folders_are_not_entered(inbox, with_good):
    folder = inbox.folder / f"{WAVE}_archive.csv"
    folder.mkdir()
    (folder / f"{WAVE}_old.csv").write_bytes(inbox.csv_bytes(_rows(inbox)).encode("cp932"))
    with_good()
    inbox.assert_file_refused(f"{WAVE}_archive.csv", "not_a_regular_file", "folder")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_named_pipe_is_not_opened(inbox, with_good):
    os.mkfifo(inbox.folder / BAD)  # opening it for reading would block the run forever
    with_good()
    inbox.assert_file_refused(BAD, "not_a_regular_file", "special file")


def test_a_file_of_another_type_is_reported_not_skipped(inbox, with_good):
    inbox.write_bytes(f"{WAVE}.xls", b"\xd0\xcf\x11\xe0 old excel")
    with_good()
    inbox.assert_file_refused(f"{WAVE}.xls", "unsupported_file", "not a .csv or .xlsx")


def test_file_of_no_panel_wave_is_refused(inbox, with_good):
    inbox.write_csv("otherpanel_2025.csv", _rows(inbox))
    with_good()
    inbox.assert_file_refused("otherpanel_2025.csv", "unknown_form", "source_ref")


def test_many_bad_files_at_once_never_stop_the_good_one(inbox, with_good):
    inbox.write_bytes(f"{WAVE}_a_empty.csv", b"")
    inbox.write_bytes(f"{WAVE}_b_euc.csv", _euc_jp(inbox.csv_bytes(_rows(inbox))))
    inbox.write_bytes(f"{WAVE}_c_fake.xlsx", b"PK\x03\x04 broken")
    inbox.write_csv(f"{WAVE}_d_ok.csv", _rows(inbox))
    summaries = with_good()
    assert summaries[f"{WAVE}_d_ok.csv"]["landed"] == 2
    refused = {name: unit["rejected_files"] for name, unit in summaries.items()}
    assert refused[f"{WAVE}_a_empty.csv"] == {"empty_file": 1}
    assert refused[f"{WAVE}_b_euc.csv"] == {"undecodable_file": 1}
    assert refused[f"{WAVE}_c_fake.xlsx"] == {"corrupt_file": 1}


def test_a_refused_file_is_reported_once_however_often_it_is_seen(inbox, with_good):
    inbox.write_bytes(BAD, b"")
    with_good()
    second = inbox.land()
    assert second[BAD]["rejected_files"] == {"empty_file": 1}  # counted on every run
    assert second[BAD]["quarantined"] == {}  # stored once
    assert len(inbox.quarantine(BAD)) == 1
    assert second["comparison_2025_good.csv"]["already_landed"] == 3


def test_listing_only_reads_the_panel_folder(inbox: PanelInbox, with_good):
    # A delivery dropped one level up is not in the panel folder: not read, not reported.
    assert inbox.folder.is_dir()
    (inbox.root / "inbox" / f"{WAVE}_misplaced.csv").write_bytes(b"")
    summaries = with_good()
    assert f"{WAVE}_misplaced.csv" not in summaries
