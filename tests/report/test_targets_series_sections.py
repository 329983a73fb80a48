"""目標の達成状況 and 経年の推移 from synthetic reporting rows (the published columns), and
the release announcement's target lines from a DuckDB file holding such rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from impact_warehouse.notify.messages import Alert, render
from impact_warehouse.notify.targets import target_status_lines
from impact_warehouse.report.cells import SUPPRESSED_MARK, html_text
from impact_warehouse.report.series_charts import series_charts
from impact_warehouse.report.targets import TargetsSeriesData, targets_table
from impact_warehouse.settings import paths

TARGET_ROWS = pd.DataFrame(
    [
        # key, operator, target, value, lower, upper, n, status, reason, within, suppressed
        ("k1", ">=", 0.7, 0.756, 0.607, 0.862, 41, "achieved", None, True, False),
        ("k2", "<=", 0.4, 0.512, 0.368, 0.654, 43, "not_achieved", None, True, False),
        ("k3", ">=", 0.5, None, None, None, None, "not_judged", "suppressed", None, True),
    ],
    columns=[
        "indicator_target_key",
        "operator",
        "target_value",
        "value",
        "ci_lower",
        "ci_upper",
        "denominator",
        "status",
        "not_judged_reason",
        "is_within_margin",
        "is_suppressed",
    ],
).assign(
    fiscal_year=2025,
    indicator_code="I07",
    indicator_symbol="⑦",
    indicator_content_ja="自信",
    program_code="all",
    wave_type="post",
    wave_type_ja="終了後アンケート",
    item_code="career_confidence",
    report_label_ja="キャリアの自信",
    display_order=1,
    measure="confident",
    source_ja="終了後アンケート",
)


def _series() -> pd.DataFrame:
    rows = []
    for item, changed_in in (("career_confidence", 2024), ("return_anxiety", None)):
        for year in (2022, 2023, 2024, 2025):
            rows.append(
                {
                    "fiscal_year": year,
                    "program_code": "all",
                    "indicator_code": "I07",
                    "item_code": item,
                    "wave_type": "post",
                    "wave_type_ja": "終了後アンケート",
                    "report_label_ja": item,
                    "scale_code": "score10",
                    "measure": "confident",
                    "is_primary_measure": True,
                    "value": None if year == 2023 and item == "return_anxiety" else 0.6,
                    "ci_lower": 0.5,
                    "ci_upper": 0.7,
                    "is_suppressed": year == 2023 and item == "return_anxiety",
                    "is_wording_changed": year == changed_in,
                    "trend_years": year - 2021 if year >= 2024 else None,
                    "trend_odds_ratio": 1.1,
                    "trend_ci_lower": 0.9,
                    "trend_ci_upper": 1.3,
                    "is_trend_suppressed": item == "return_anxiety" and year >= 2024,
                }
            )
    # Not charted: another program, and a secondary measure.
    rows.append({**rows[0], "program_code": "mamabono"})
    rows.append({**rows[0], "measure": "high", "is_primary_measure": False})
    return pd.DataFrame(rows)


def _data() -> TargetsSeriesData:
    return TargetsSeriesData(
        fiscal_year=2025,
        targets=TARGET_ROWS,
        series=_series(),
        measure_labels={("score10", "confident"): "6点以上"},
    )


def test_the_targets_table_shows_direction_estimate_status_and_margin():
    table = targets_table(
        _data(),
        scale_codes={"career_confidence": "score10"},
        program_names={"all": "全体"},
    )
    assert table is not None and table.row_keys == ("k1", "k2", "k3")
    texts = [
        [html_text(cell, column) for cell, column in zip(row, table.columns, strict=True)]
        for row in table.rows
    ]
    headers = [column.label_ja for column in table.columns]
    achieved, missed, hidden = (dict(zip(headers, row, strict=True)) for row in texts)
    assert achieved["目標"] == "≧ 70.0%" and missed["目標"] == "≦ 40.0%"
    assert achieved["推計値"] == "75.6%" and achieved["判定"] == "達成"
    assert "6点以上" in achieved["項目（調査・指標）"]
    assert missed["判定"] == "未達成" and missed["誤差の範囲"] == "範囲内"
    assert hidden["判定"] == "判定なし（非表示のセル）"
    assert SUPPRESSED_MARK in hidden["推計値"]


def test_one_series_chart_per_indicator_with_a_panel_per_primary_item_measure():
    (chart,) = series_charts(_data(), {"I07": "⑦自信"})
    assert chart.chart_id == "chart-series-I07" and chart.section == "series"
    assert chart.attributes["data-panels"] == "2"
    assert chart.attributes["data-wording-changes"] == "1"
    assert chart.suppressed_bars == 1
    assert "<svg" in chart.svg


def test_the_release_announcement_lists_each_target_status(tmp_path: Path):
    database = tmp_path / "published.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema reporting")
        frame = TARGET_ROWS  # noqa: F841 (read by DuckDB's replacement scan)
        connection.execute("create table reporting.rpt_indicator_targets as select * from frame")
    lines = target_status_lines(database, 2025)
    assert lines == [
        "⑦ キャリアの自信（終了後アンケート） 目標 ≧ 70.0% → 75.6%: 達成（誤差の範囲内）",
        "⑦ キャリアの自信（終了後アンケート） 目標 ≦ 40.0% → 51.2%: 未達成（誤差の範囲内）",
        "⑦ キャリアの自信（終了後アンケート） 目標 ≧ 50.0% → —: 判定なし（非表示のセル）",
    ]
    body = render(
        Alert(kind="release_published", fiscal_year=2025, details={"target_statuses": lines}),
        settings=paths(),
    ).body
    assert "■ 目標の達成状況" in body and lines[0] in body


def test_a_release_without_the_targets_table_announces_no_targets(tmp_path: Path):
    database = tmp_path / "old.duckdb"
    duckdb.connect(str(database)).close()
    assert target_status_lines(database, 2025) == []
