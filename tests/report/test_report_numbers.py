"""The figures in the HTML page, the CSV files and the XLSX workbook are the release's.

Expected values are read here straight from the published release with DuckDB and formatted
independently of the report package, so a wrong column, rounding or row would show.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import openpyxl
import pytest

FY = 2025
# The short-term table names each measure as the scale catalog does (scale_measures.csv).
AGREE = "肯定的回答（そう思う・ややそう思う）"
AGREE_INTERVAL = f"{AGREE}の95%信頼区間"


def pct(value: float) -> str:
    """Half up, as METRICS.md says (56.25 → 56.3), computed independently of the report."""
    return f"{math.floor(round(value * 1000, 6) + 0.5) / 10:.1f}%"


def read_csv(path: Path) -> dict[str, dict[str, str]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf"), f"{path} has no UTF-8 BOM"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row["行キー"]: row for row in csv.DictReader(handle)}


def read_sheet(path: Path, sheet: str) -> dict[str, dict[str, object]]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    rows = list(workbook[sheet].iter_rows(values_only=True))
    headers = rows[1]
    return {row[0]: dict(zip(headers, row, strict=True)) for row in rows[2:] if row[0]}


def fetch(published_reports, query: str) -> list[dict]:
    with published_reports.database() as connection:
        cursor = connection.execute(query, [FY])
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_the_demo_renders_the_fiscal_year_released_and_the_one_before(published_reports):
    assert sorted(published_reports.reports) == [2025, 2026]
    for year, report in published_reports.reports.items():
        out = published_reports.out_dir(year)
        expected = published_reports.settings.work / "reports" / report["release_id"] / f"fy{year}"
        assert out == expected
        assert (out / f"impact_report_fy{year}.html").exists()
        assert (out / f"impact_report_fy{year}.xlsx").exists()
        assert len(list((out / "tables").glob("*.csv"))) == report["csv"] >= 12
        print(f"FY{year} render time: {report['seconds']} s")


def test_short_term_shares_n_and_intervals_match_the_release(published_reports, html_tables):
    rows = fetch(
        published_reports,
        "select * from reporting.rpt_short_term_outcomes where fiscal_year = ? "
        "and not is_suppressed",
    )
    assert len(rows) >= 14
    table = html_tables[FY]["06_short_term_outcomes"]
    out = published_reports.out_dir(FY)
    csv_rows = read_csv(out / "tables" / "06_short_term_outcomes.csv")
    sheet = read_sheet(out / f"impact_report_fy{FY}.xlsx", "06_short_term_outcomes")
    for row in rows:
        key = row["short_term_outcome_key"]
        assert table.cell(key, "回答者数 N").text == str(row["respondents"])
        assert table.cell(key, AGREE).text == pct(row["share"])
        assert table.cell(key, "そう思う").text == pct(row["share_agree"])
        lower, upper = row["share_ci_lower"], row["share_ci_upper"]
        assert table.cell(key, AGREE_INTERVAL).text == f"[{lower * 100:.1f}, {upper * 100:.1f}]"
        assert csv_rows[key][f"{AGREE}(%)"] == f"{row['share'] * 100:.1f}"
        assert csv_rows[key][f"{AGREE_INTERVAL} 下限(%)"] == f"{lower * 100:.1f}"
        assert int(csv_rows[key]["回答者数 N"]) == row["respondents"]
        assert math.isclose(sheet[key][f"{AGREE}(%)"], row["share"], abs_tol=1e-12)
        assert math.isclose(sheet[key][f"{AGREE_INTERVAL} 上限(%)"], upper, abs_tol=1e-12)
        assert sheet[key]["回答者数 N"] == row["respondents"]
    # The headline of ④ in the FY2025 report: skill re-recognition 87.8%.
    assert table.cell("2025|all|skill_recognised", AGREE).text == "87.8%"


def test_outputs_counts_match_the_release(published_reports, html_tables):
    rows = fetch(published_reports, "select * from reporting.rpt_outputs where fiscal_year = ?")
    table = html_tables[FY]["01_outputs"]
    csv_rows = read_csv(published_reports.out_dir(FY) / "tables" / "01_outputs.csv")
    for row in rows:
        key = row["outputs_key"]
        assert table.cell(key, "プロジェクト数").text == str(row["projects"])
        assert table.cell(key, "支援先団体数").text == str(row["organisations"])
        assert table.cell(key, "参加者数（実人数）").text == str(row["participants"])
        assert int(csv_rows[key]["延べ参加者数"]) == row["participations"]
    # METRICS.md, FY2025 outputs: mamabono 6 projects, 32 participants, 6 organisations.
    assert [c.text for c in table.rows["2025|mamabono"][2:7]] == ["1", "6", "32", "32", "6"]


def test_mid_term_differences_match_the_release(published_reports, html_tables):
    rows = fetch(
        published_reports,
        "select * from reporting.rpt_mid_term_outcomes where fiscal_year = ? and not is_suppressed",
    )
    # The columns carry the organisation's names for both groups (organisation.csv).
    (labels,) = fetch(
        published_reports,
        "select participants_label_ja, comparison_group_label_ja from catalog.organisation"
        " where ? > 0",  # fetch binds the fiscal year
    )
    participants, comparison = labels["participants_label_ja"], labels["comparison_group_label_ja"]
    table = html_tables[FY]["10_mid_term_outcomes"]
    sheet = read_sheet(
        published_reports.out_dir(FY) / f"impact_report_fy{FY}.xlsx", "10_mid_term_outcomes"
    )
    for row in rows:
        key = row["mid_term_outcome_key"]
        assert table.cell(key, f"{participants} N").text == str(row["respondents"])
        assert table.cell(key, f"{comparison} N").text == str(row["comparison_respondents"])
        assert table.cell(key, "差（ポイント）").text == f"{row['difference_points']:+.1f}pt"
        assert table.cell(key, "差の95%信頼区間").text == (
            f"[{row['difference_ci_lower']:+.1f}, {row['difference_ci_upper']:+.1f}]"
        )
        assert math.isclose(sheet[key]["差（ポイント）(ポイント)"], row["difference_points"])
    assert table.cell("2025|all|challenged_at_work|yes", "差（ポイント）").text == ("+35.3pt")


def test_time_use_and_its_source_are_shown(published_reports, html_tables):
    rows = fetch(published_reports, "select * from reporting.rpt_time_use where fiscal_year = ?")
    table = html_tables[FY]["11_time_use"]
    for row in rows:
        key = row["time_use_key"]
        assert table.cell(key, "配偶者（夫）").text == f"{row['partner_hours_mean']:.2f}"
        assert table.cell(key, "配偶者の分担割合").text == pct(row["partner_share"])
    reference = next(r for r in rows if r["respondent_group"] == "national_reference")
    assert table.cell(reference["time_use_key"], "出典").text == reference["source_ja"]


def test_summary_quotes_the_release_with_n_and_intervals(published_reports, html_tables):
    rows = fetch(
        published_reports,
        "select * from reporting.rpt_summary where fiscal_year = ? and not is_suppressed",
    )
    html = published_reports.html(FY)
    table = html_tables[FY]["13_summary"]
    assert set(table.rows) == {row["summary_key"] for row in rows} | {
        key for key in table.rows if any(cell.suppressed for cell in table.rows[key])
    }
    career = next(r for r in rows if r["summary_key"] == "2025|I07|career_confidence|confident")
    # 51.1% → 75.6% (METRICS.md), with N and the interval, in the words of 評価結果まとめ.
    sentence = (
        f"{pct(career['value'])} [{career['ci_lower'] * 100:.1f}, {career['ci_upper'] * 100:.1f}]"
        f"（N={career['respondents']}）、事前 {pct(career['baseline_value'])}"
        f"（N={career['baseline_respondents']}）"
    )
    assert sentence in html
    assert "75.6%" in sentence and "51.1%" in sentence


def test_the_release_and_the_date_of_data_are_named_once_not_in_every_caption(published_reports):
    """Captions say what is shown; the release and the date of the data are on the cover and
    in the methods, where a reader traces a printed figure back to the release."""
    html = published_reports.html(FY)
    release = published_reports.release
    as_of = release.gate_result["as_of"]
    figures = re.findall(r"<figure .*?</figure>", html, flags=re.S)
    tables = [
        block[: block.index("</p>", block.index('<p class="note">'))]
        for block in html.split('<div class="table-block">')[1:]
    ]
    assert len(figures) >= 15 and len(tables) >= 12
    for block in figures + tables:
        assert release.release_id not in block
    source = html[html.index('id="methods-source"') :]
    source = source[: source.index("</dd>")]
    assert release.release_id in source and f"データ時点 {as_of}" in source
    assert release.release_id in html[: html.index("</header>")]


def test_the_methods_section_states_the_metric_rules(published_reports):
    html = published_reports.html(FY)
    methods = html[html.index('id="methods"') :]
    for phrase in (
        "Wilson",
        "Newcombe",
        "McNemar",
        "Wilcoxon",
        "Fisher",
        "ロジスティック回帰",
        "最後に送信された回答",
        "分母が 5 人未満",
        "ペア",
    ):
        assert phrase in methods, phrase


def test_the_page_has_no_external_reference(published_reports):
    for year in published_reports.reports:
        html = published_reports.html(year)
        assert not re.search(r"https?://", html)
        references = re.findall(r"(?:src|href)\s*=\s*[\"']([^\"']*)", html)
        assert all(ref.startswith(("#", "data:")) for ref in references), references[:5]
        assert "<script" not in html
        size = published_reports.html_path(year).stat().st_size
        print(f"FY{year} html: {size / 1024:.0f} KB")
        assert size < 4_000_000


@pytest.mark.parametrize("fiscal_year", [2024])
def test_the_command_renders_any_fiscal_year_of_a_release(
    published_reports, tmp_path, fiscal_year, monkeypatch, capsys
):
    from impact_warehouse.report.__main__ import main

    monkeypatch.setenv("IMPACT_WORK_DIR", str(published_reports.settings.work))
    release_id = published_reports.release.release_id
    code = main(
        [
            "--fiscal-year",
            str(fiscal_year),
            "--release-id",
            release_id,
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code == 0
    html = (tmp_path / "out" / f"impact_report_fy{fiscal_year}.html").read_text(encoding="utf-8")
    assert f"{fiscal_year}年度" in html and release_id in html
    assert main(["--fiscal-year", "2019", "--out", str(tmp_path / "none")]) == 2
    assert "2019年度のデータがこのリリースにありません" in capsys.readouterr().err


def test_employment_status_counts_match_the_release(published_reports, html_tables):
    rows = fetch(
        published_reports, "select * from reporting.rpt_outputs_employment where fiscal_year = ?"
    )
    table = html_tables[FY]["02_employment"]
    header = {"mamabono": "ママボノ", "next": "NEXT", "all": "合計"}
    for row in rows:
        cell = table.cell(
            f"2025|{row['employment_status_code']}", header[row["program_group_code"]]
        )
        assert cell.text == str(row["participations"])
        total = table.cell("2025|total", header[row["program_group_code"]])
        assert total.text == str(row["group_participations"])
    # METRICS.md: on leave 26 / 8 / 34; total 32 / 33 / 65.
    assert [c.text for c in table.rows["2025|on_leave"][1:]] == ["26", "8", "34"]
    assert [c.text for c in table.rows["2025|total"][1:]] == ["32", "33", "65"]
