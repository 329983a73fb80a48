"""scan_for_personal_data: finds roster contacts in every kind of file analysts, readers and
staff open (DuckDB, HTML, CSV, XLSX, anything else as bytes), in any notation, without ever
reporting the value itself."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import duckdb
from openpyxl import Workbook

from impact_warehouse.personal_data.scan import scan_for_personal_data, vault_contacts

CONTACTS = {
    "email": {"mayumi.harada@example.jp"},
    "phone": {"090-1428-5063"},
    "name": {"原田 真由美"},
}


def test_a_clean_folder_counts_zero(tmp_path: Path) -> None:
    # A keyed pseudonym is not personal data, even when its hex ends like a phone number.
    pseudonym = "email_" + "a" * 22 + "9014285063"
    (tmp_path / "page.html").write_text(f"<p>回答 03-12 {pseudonym}</p>", "utf-8")
    (tmp_path / "t.csv").write_text("行キー,値\nk,-3.5\n", "utf-8")
    report = scan_for_personal_data(tmp_path, contacts=CONTACTS)
    assert report.count == 0 and report.files == 2


def test_every_kind_of_file_and_notation_is_found(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_answers (answer_key varchar, value_text varchar)")
        con.execute("insert into marts.fct_answers values ('k1', 'MAYUMI.HARADA@example.jp')")
    (tmp_path / "report.html").write_text("<td>原田真由美 さん</td>", "utf-8")
    (tmp_path / "table.csv").write_text("k,０９０ー１４２８ー５０６３\n", "utf-8")
    (tmp_path / "intl.txt").write_text("+81 90 1428 5063", "utf-8")
    workbook = Workbook()
    workbook.active.append(["(090)1428-5063"])
    workbook.save(tmp_path / "report.xlsx")
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01mayumi.harada@example.jp\x00")

    report = scan_for_personal_data(tmp_path, contacts=CONTACTS)

    found = {(Path(hit.path).name, hit.kind) for hit in report.hits}
    assert found == {
        ("w.duckdb", "email"),
        ("report.html", "name"),
        ("table.csv", "phone"),
        ("intl.txt", "phone"),
        ("report.xlsx", "phone"),
        ("blob.bin", "email"),
    }
    (duck,) = [hit for hit in report.hits if hit.path.endswith("w.duckdb")]
    assert duck.where == "marts.fct_answers.value_text"
    assert all("harada" not in f"{hit.where}{hit.kind}" for hit in report.hits)


def test_contacts_come_from_the_vault(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    with sqlite3.connect(vault / "contacts.sqlite") as con:
        con.execute("create table contacts (pseudonym text, kind text, contact text)")
        con.executemany(
            "insert into contacts values (?, ?, ?)",
            [("p1", "email", "a@example.jp"), ("p2", "name", "山田 花子"), ("p3", "phone", " ")],
        )
    assert vault_contacts(vault) == {"email": {"a@example.jp"}, "name": {"山田 花子"}}
    assert vault_contacts(tmp_path / "none") == {}
