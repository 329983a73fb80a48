"""The outcome sections come from the catalog: a catalog the code has never seen renders with
its own sections, labels and directions, and none of Mamabono's words.

The catalog: ``likert5`` (5 labelled values), ``lonely5`` (1–5, lonely = 4 or more, lower is
better, asked before and after), ``recommend11`` (0–10, no labels, against a comparison
group). Its figures are computed by the real engine (``compute_indicator_results``) and
published in a warehouse shaped like the demo's (the demo build gives the table shapes); the
report reads them through ``load_report_data`` like any release.
"""

from __future__ import annotations

import math
import re
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest

from impact_warehouse.report.charts import build_charts
from impact_warehouse.report.data import load_report_data
from impact_warehouse.report.outcome_plan import plan_outcome_sections
from impact_warehouse.report.page import build_sections, render_html
from impact_warehouse.report.summary import summary_lines
from impact_warehouse.report.tables import build_tables
from impact_warehouse.transform.indicator_results import compute_indicator_results

FY = 2030
LIKERT5 = [
    "とても当てはまる",
    "当てはまる",
    "どちらでもない",
    "当てはまらない",
    "全く当てはまらない",
]
LONELY5 = ["全くない", "ほとんどない", "時々ある", "よくある", "いつもある"]
SCALES = pd.DataFrame(
    [
        ("likert5", "code", 1, 5, 1, "5段階（当てはまる）", "5-point"),
        ("lonely5", "code", 1, 5, 1, "5段階（孤独を感じる頻度）", "loneliness"),
        ("recommend11", "integer", 0, 10, 1, "0〜10（すすめたい度合い）", "recommend"),
    ],
    columns=["scale_code", "value_type", "min_value", "max_value", "step", "label_ja", "label_en"],
)
SCALE_LABELS = pd.DataFrame(
    [("likert5", 5 - i, label, label) for i, label in enumerate(LIKERT5)]
    + [("lonely5", i + 1, label, label) for i, label in enumerate(LONELY5)],
    columns=["scale_code", "value_code", "label_ja", "label_en"],
)
SCALE_MEASURES = pd.DataFrame(
    [
        ("likert5", "agree", ">=", 4, "higher", True, False, "当てはまる（4以上）", "agree", 1),
        ("lonely5", "lonely", ">=", 4, "lower", True, True, "孤独を感じる（4以上）", "lonely", 1),
        ("recommend11", "promoter", ">=", 9, "higher", True, False, "すすめたい（9以上）", "p", 1),
    ],
    columns=[
        "scale_code",
        "measure_code",
        "operator",
        "threshold",
        "good_direction",
        "is_primary",
        "follow_group_at_pre",
        "label_ja",
        "label_en",
        "display_order",
    ],
)
INDICATORS = pd.DataFrame(
    [
        ("K0", "①", "output", "講座の提供", "講座の数", "実数"),
        ("K1", "②", "short_term", "働く自信の回復", "自信が回復した割合", "事後"),
        ("K2", "③", "short_term", "孤独感の軽減", "孤独を感じる割合", "事前・事後"),
        ("K3", "④", "mid_term", "仲間への推奨", "すすめたい割合", "追跡と比較群"),
    ],
    columns=[
        "indicator_code",
        "indicator_symbol",
        "indicator_type",
        "content_ja",
        "indicator_ja",
        "measurement_ja",
    ],
)
ITEMS = pd.DataFrame(
    [
        ("work_confidence", "outcome", "likert5", "post", "働く自信が戻った", 1),
        ("felt_lonely", "outcome", "lonely5", "pre|post", "孤独を感じる", 2),
        ("lonely_at_home", "outcome", "lonely5", "post", "家で孤独を感じる", 3),
        ("would_recommend", "outcome", "recommend11", "followup|comparison", "すすめたい", 4),
    ],
    columns=["item_code", "section", "scale_code", "asked_in", "report_label_ja", "display_order"],
).assign(is_personal_data=False)
ITEM_INDICATORS = pd.DataFrame(
    [
        ("work_confidence", "post", "K1"),
        ("felt_lonely", "pre", "K2"),
        ("felt_lonely", "post", "K2"),
        ("lonely_at_home", "post", "K2"),
        ("would_recommend", "followup", "K3"),
        ("would_recommend", "comparison", "K3"),
    ],
    columns=["item_code", "wave_type", "indicator_code"],
)
MAMABONO_WORDS = [
    "ママボノ",
    "マミートラック",
    "NEXT",
    "そう思う",
    "肯定的",
    "6点以上",
    "不安",
    "家事",
    "⑮",
    "10段階",
]


def _answers(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = []
    pre = rng.integers(1, 6, 40)
    post = np.clip(pre - rng.integers(0, 3, 40), 1, 5)
    for person in range(40):
        program = "alpha" if person < 25 else "beta"
        rows += [
            ("pre", program, f"p{person}", "felt_lonely", "lonely5", pre[person], "K2"),
            ("post", program, f"p{person}", "felt_lonely", "lonely5", post[person], "K2"),
            ("post", program, f"p{person}", "lonely_at_home", "lonely5", rng.integers(1, 6), "K2"),
            ("post", program, f"p{person}", "work_confidence", "likert5", rng.integers(1, 6), "K1"),
        ]
    for person in range(30):
        value = rng.integers(4, 11)
        rows.append(
            ("followup", "alpha", f"f{person}", "would_recommend", "recommend11", value, "K3")
        )
    for person in range(60):
        value = rng.integers(0, 11)
        rows.append(
            ("comparison", None, f"c{person}", "would_recommend", "recommend11", value, "K3")
        )
    columns = ["wave_type", "program_code", "participant", "item_code", "scale_code"]
    answers = pd.DataFrame(rows, columns=[*columns, "value_numeric", "indicator_code"])
    answers = answers.assign(fiscal_year=FY, is_counted=True)
    answers["value_numeric"] = answers["value_numeric"].astype(float)
    answers["answer_key"] = answers.index.astype(str)
    pairs = pd.DataFrame(
        {
            "paired_score_key": [f"p{i}" for i in range(40)],
            "fiscal_year": FY,
            "program_code": ["alpha" if i < 25 else "beta" for i in range(40)],
            "item_code": "felt_lonely",
            "scale_code": "lonely5",
            "pre_value": pre.astype(float),
            "post_value": post.astype(float),
            "is_paired": True,
        }
    )
    return answers, pairs


# A profile that is not Mamabono's: the page must take every name from it.
ORGANISATION = {
    "organisation_code": "test_foundation",
    "organisation_name_ja": "テスト財団",
    "organisation_name_en": "Test Foundation",
    "brand_ja": "",
    "brand_en": "",
    "report_title_ja": "テスト財団 {fiscal_year}年度 成果報告",
    "report_title_en": "Test Foundation FY{fiscal_year} outcomes",
    "report_short_title_ja": "{fiscal_year}年度 成果報告",
    "tagline_ja": "",
    "footer_ja": "テスト財団",
    "participants_label_ja": "受講者",
    "comparison_group_label_ja": "比較群",
    "comparison_group_description_ja": "",
    "fiscal_year_start_month": 4,
    "time_zone": "Asia/Tokyo",
    "release_month_day": "",
}


def published_outcomes() -> pd.DataFrame:
    """The engine's rows with the catalog labels rpt_outcome_results joins (k = 5)."""
    answers, pairs = _answers(np.random.default_rng(30))
    rates = pd.DataFrame(
        [(FY, "post", "all", "all", 40, 44, 40 / 44)],
        columns=[
            "fiscal_year",
            "wave_type",
            "breakdown_level",
            "breakdown_code",
            "responded",
            "targeted",
            "response_rate",
        ],
    )
    results = compute_indicator_results(
        answers, pairs, rates, SCALES, SCALE_MEASURES, SCALE_LABELS, suppression_k=5
    )
    results = results.merge(ITEMS[["item_code", "report_label_ja", "section", "display_order"]])
    results = results.merge(
        INDICATORS[["indicator_code", "indicator_symbol", "indicator_type", "indicator_ja"]],
        how="left",
    )
    measures = SCALE_MEASURES.rename(columns={"measure_code": "measure"})
    results = results.merge(
        measures[["scale_code", "measure", "label_ja", "display_order"]].rename(
            columns={"display_order": "measure_order"}
        ),
        how="left",
    )
    values = SCALE_LABELS.assign(measure="value_" + SCALE_LABELS.value_code.astype(str))
    results = results.merge(
        values[["scale_code", "measure", "label_ja"]].rename(columns={"label_ja": "value_label"}),
        how="left",
    )
    is_value = results.measure_kind == "distribution"
    number = results.measure.str.removeprefix("value_")
    results["measure_label_ja"] = np.where(
        is_value, results.value_label.fillna(number), results.label_ja
    )
    results.loc[results.measure_kind == "mean", "measure_label_ja"] = "平均"
    results["measure_display_order"] = np.where(
        is_value, 100 + pd.to_numeric(number, errors="coerce"), results.measure_order
    )
    results["population_label_ja"] = results.population.map(
        {"respondents": "各回の回答者", "paired": "事前・事後の両方に回答（ペア）"}
    ).fillna("事前に孤独を感じる（4以上）（ペア）")
    results["wave_type_ja"] = results.wave_type
    return results.drop(columns=["label_ja", "measure_order", "value_label"])


@pytest.fixture(scope="module")
def catalog_report(demo_warehouse_for_seed, tmp_path_factory) -> str:
    """The HTML page of FY2030 from a warehouse holding the new catalog's figures."""
    shapes = str(demo_warehouse_for_seed(2025).database)
    path = tmp_path_factory.mktemp("catalog-report") / "warehouse.duckdb"
    outcomes = published_outcomes()
    catalog = {
        "indicators": INDICATORS,
        "item_indicators": ITEM_INDICATORS,
        "items": ITEMS,
        "scales": SCALES,
        "scale_measures": SCALE_MEASURES,
        "scale_labels": SCALE_LABELS,
        "programs": pd.DataFrame(
            {
                "program_code": ["alpha", "beta"],
                "program_name_ja": ["アルファ講座", "ベータ講座"],
                "program_group_code": ["alpha", "beta"],
                "program_group_name_ja": ["アルファ講座", "ベータ講座"],
                "program_group_short_ja": ["アルファ", "ベータ"],
            }
        ),
        "organisation": pd.DataFrame([ORGANISATION]),
    }
    with duckdb.connect(str(path)) as connection:
        connection.execute(f"attach '{shapes}' as shapes (read_only)")
        for schema in ("catalog", "reporting", "marts"):
            connection.execute(f"create schema {schema}")
        for table in (
            "reporting.rpt_outputs",
            "reporting.rpt_outputs_employment",
            "reporting.rpt_support_measures",
            "reporting.rpt_cumulative_participants",
            "reporting.rpt_time_use",
            "reporting.rpt_summary",
            "reporting.rpt_outcome_results",
            "marts.dim_waves",
            "marts.fct_response_rates",
            "catalog.wave_types",
        ):
            connection.execute(f"create table {table} as select * from shapes.{table} limit 0")
        connection.execute("insert into catalog.wave_types select * from shapes.catalog.wave_types")
        connection.execute(
            "insert into reporting.rpt_outputs (outputs_key, fiscal_year, program_code,"
            " is_suppressed) values (?, ?, 'all', false)",
            [f"{FY}|all", FY],
        )
        connection.register("outcomes", outcomes)
        connection.execute(
            "insert into reporting.rpt_outcome_results by name select * from outcomes"
        )
        for name, frame in catalog.items():
            connection.register(name, frame)
            connection.execute(f"create table catalog.{name} as select * from {name}")
        data = load_report_data(connection, FY)
    plan = plan_outcome_sections(data)
    tables = build_tables(data, plan, as_of=date(2031, 3, 1), k=5)
    charts = build_charts(data, plan, k=5)
    return render_html(
        sections=build_sections(plan, charts, tables, summary_lines(data), 5, data.organisation),
        context={
            "title": data.organisation.report_title(FY),
            "organisation": data.organisation,
            "rendered_at": "2031-03-01 09:00 JST",
            "fiscal_year": FY,
            "release_id": "catalog-test",
            "data_as_of": "2031-03-01",
            "published_at": "2031-03-01 00:00 UTC",
            "k": 5,
            "xlsx_name": "report.xlsx",
        },
    )


def test_the_page_names_the_catalogs_organisation(catalog_report):
    assert "テスト財団 2030年度 成果報告" in catalog_report
    assert "受講者" in catalog_report and "ママボノ" not in catalog_report


def outcome_part(html: str) -> str:
    """The page from the first outcome section to the summary."""
    return html[html.index('<section id="short_term"') : html.index('<section id="summary"')]


def test_sections_come_from_the_catalog(catalog_report):
    titles = re.findall(
        r'<section id="([^"]+)" class="report-section">\s*<h2>([^<]+)</h2>', catalog_report
    )
    assert titles == [
        ("outputs", "活動・アウトプット"),
        ("waves", "アンケート実施概要と回答率"),
        ("short_term", "短期アウトカム ②③"),
        ("pre_post", "③ 事前・事後の変化（5段階評価）"),
        ("mid_term", "中期アウトカム ④ 比較群との比較"),
        ("summary", "評価結果まとめ"),
        ("methods", "集計方法"),
    ]
    for chart_id in (
        "chart-short-term-K1",
        "chart-short-term-K2",
        "chart-pre-post-distribution-felt_lonely",
        "chart-pre-post-headline-felt_lonely",
        "chart-mid-term-K3",
    ):
        assert f'data-chart="{chart_id}"' in catalog_report, chart_id


def test_each_item_shows_its_own_labels_and_figures(catalog_report, table_parser):
    tables = table_parser(catalog_report)
    outcomes = published_outcomes().set_index("indicator_result_key")

    def pct(key: str) -> str:
        # Half up, as METRICS.md says, computed independently of the report.
        return f"{math.floor(round(outcomes.loc[key].value * 1000, 6) + 0.5) / 10:.1f}%"

    likert = tables["06_short_term_outcomes_likert5"]
    assert [h for h in likert.headers if h in LIKERT5] == LIKERT5  # the good end first
    row = f"{FY}|all|work_confidence"
    assert likert.cell(row, "当てはまる（4以上）").text == pct(
        f"{FY}|all|respondents|post|work_confidence|agree"
    )
    assert likert.cell(row, "とても当てはまる").text == pct(
        f"{FY}|all|respondents|post|work_confidence|value_5"
    )

    lonely = tables["07_short_term_outcomes_lonely5"]
    # Lower is better: the good end (全くない) first, the share named for what it counts.
    assert [h for h in lonely.headers if h in LONELY5] == LONELY5
    key = f"{FY}|all|lonely_at_home"
    assert lonely.cell(key, "孤独を感じる（4以上）").text == pct(
        f"{FY}|all|respondents|post|lonely_at_home|lonely"
    )

    scores = tables["08_pre_post_scores"]
    key = f"{FY}|all|respondents|felt_lonely|pre"
    assert scores.cell(key, "孤独を感じる（4以上）").text == pct(
        f"{FY}|all|respondents|pre|felt_lonely|lonely"
    )
    assert [h for h in tables["09_pre_post_distribution"].headers if h in LONELY5] == LONELY5

    comparison = tables["11_mid_term_outcomes"]
    key = f"{FY}|all|would_recommend|promoter"
    result = outcomes.loc[f"{FY}|all|respondents|followup|would_recommend|promoter"]
    assert comparison.cell(key, "割合の種類").text == "すすめたい（9以上）"
    assert comparison.cell(key, "受講者の割合").text == pct(result.name)
    assert comparison.cell(key, "差（ポイント）").text == f"{result.difference_points:+.1f}pt"


def test_direction_is_worded_and_no_mamabono_text_is_left(catalog_report):
    outcomes = outcome_part(catalog_report)
    assert "「孤独を感じる（4以上）」は割合が低いほど良い。" in outcomes
    assert "事前に孤独を感じる（4以上）（ペア）" in outcomes
    for word in MAMABONO_WORDS:
        assert word not in outcomes, word
