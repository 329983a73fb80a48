"""``impact demo`` on the example organisation's folder publishes its warehouse and reports.

Run the way the README tells a new organisation to (``IMPACT_CATALOG_DIR`` → its folder,
``impact demo --as-of``), with no code edit: the Airflow DAGs ingest its demo sources, build,
gate and publish, then render its reports. The test then reads what a reader gets (HTML, CSV,
XLSX) and the published warehouse, and checks:

- every indicator of its ``indicators.csv`` is named with its own symbol and content, every
  outcome item with its own label, the lower-is-better loneliness share worded for what it
  counts, the targets with their status, the series section;
- no Mamabono name anywhere in those outputs;
- every published respondents figure of ``rpt_outcome_results`` (share with its Wilson
  interval, value distribution, mean) against a computation of its own from the counted
  answers, with the example's ``scale_measures.csv`` rules applied in pandas.
"""

from __future__ import annotations

import csv
import html
import operator
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from impact_warehouse.settings import PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / "examples" / "hataraku_women"
AS_OF = "2026-04-30"  # after the example's last wave (FY2025 peer circle post, March 2026)
REPORTED_YEARS = (2024, 2025)  # a release renders its fiscal year and the one before
MAMABONO_NAMES = re.compile(
    r"ママボノ|mamabono|\bNEXT\b|サービスグラント|service ?grant|マミートラック|mommy ?track"
    r"|育休|育児休業|復職",
    re.IGNORECASE,
)
OPERATORS: dict[str, Callable[[pd.Series, float], pd.Series]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "=": operator.eq,
}
STATUS_JA = {"achieved": "達成", "not_achieved": "未達成"}


@dataclass(frozen=True)
class DemoRun:
    work: Path
    stdout: str

    @property
    def warehouse(self) -> Path:
        return self.work / "published" / "warehouse.duckdb"

    def report_dir(self, fiscal_year: int) -> Path:
        (folder,) = self.work.glob(f"reports/FY*/fy{fiscal_year}")
        return folder

    def report_text(self, fiscal_year: int) -> str:
        return page_text(self.report_dir(fiscal_year) / f"impact_report_fy{fiscal_year}.html")

    def query(self, sql: str) -> pd.DataFrame:
        with duckdb.connect(str(self.warehouse), read_only=True) as connection:
            return connection.sql(sql).df()


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    work = tmp_path_factory.mktemp("example_demo") / "work"
    env = {**os.environ, "IMPACT_CATALOG_DIR": str(EXAMPLE), "IMPACT_WORK_DIR": str(work)}
    for variable in ("AIRFLOW_HOME", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "IMPACT_INBOX_DIR"):
        env.pop(variable, None)  # the command sets up its own embedded Airflow, as for a user
    result = subprocess.run(
        [sys.executable, "-m", "impact_warehouse.cli", "demo", "--as-of", AS_OF],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return DemoRun(work, result.stdout)


def page_text(path: Path) -> str:
    """What a reader sees: the page without styles, scripts and tags."""
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def catalog_csv(name: str) -> pd.DataFrame:
    return pd.read_csv(EXAMPLE / name, dtype=str, keep_default_na=False)


def percent_half_up(value: float) -> str:
    """The report's display: percent with one decimal, rounded half up (METRICS.md)."""
    return str(Decimal(repr(float(value) * 100)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# --- the report names the example's own indicators, items and measures --------------------


@pytest.mark.slow
def test_impact_demo_publishes_the_example_and_renders_its_reports(demo_run: DemoRun) -> None:
    assert "published release FY2025" in demo_run.stdout
    assert demo_run.warehouse.exists()
    for fiscal_year in REPORTED_YEARS:
        folder = demo_run.report_dir(fiscal_year)
        assert (folder / f"impact_report_fy{fiscal_year}.xlsx").exists()
        assert list((folder / "tables").glob("*.csv"))


@pytest.mark.slow
@pytest.mark.parametrize("fiscal_year", REPORTED_YEARS)
def test_every_indicator_and_item_is_named_with_its_own_labels(
    demo_run: DemoRun, fiscal_year: int
) -> None:
    text = demo_run.report_text(fiscal_year)
    organisation = catalog_csv("organisation.csv").iloc[0]
    assert organisation.report_title_ja.format(fiscal_year=fiscal_year) in text
    indicators = catalog_csv("indicators.csv")
    missing = [
        f"{row.indicator_code} {row.indicator_symbol}{row.content_ja}"
        for row in indicators.itertuples()
        if f"{row.indicator_symbol}{row.content_ja}" not in text
    ]
    assert missing == []
    items = catalog_csv("items.csv")
    outcome_labels = items[items.section == "outcome"].report_label_ja
    assert [label for label in outcome_labels if label not in text] == []


@pytest.mark.slow
def test_the_lower_is_better_loneliness_share_is_worded_for_what_it_counts(
    demo_run: DemoRun,
) -> None:
    text = demo_run.report_text(2025)
    measures = catalog_csv("scale_measures.csv")
    for row in measures[measures.good_direction == "lower"].itertuples():
        # Named by its own label and said to be better when lower, never "positive".
        assert f"「{row.label_ja}」は割合が低いほど良い" in text
    assert "孤独を感じる(よく・いつも)" in text
    assert "肯定的" not in text.split("集計方法")[0]


@pytest.mark.slow
def test_the_methods_explain_only_what_the_report_shows(demo_run: DemoRun) -> None:
    # The example asks no time-use items: no paragraph on housework hours and its source.
    methods = demo_run.report_text(2025).split("集計方法")[-1]
    assert "家事関連時間" not in methods and "社会生活基本調査" not in methods


@pytest.mark.slow
def test_the_targets_and_series_sections_show_every_target_and_indicator(
    demo_run: DemoRun,
) -> None:
    text = demo_run.report_text(2025)
    assert "目標の達成状況" in text and "経年の推移" in text
    targets = catalog_csv("indicator_targets.csv")
    indicators = catalog_csv("indicators.csv").set_index("indicator_code")
    for code in targets.indicator_code.unique():
        row = indicators.loc[code]
        assert f"{row.indicator_symbol}{row.content_ja}（経年の推移）" in text


@pytest.mark.slow
@pytest.mark.parametrize("fiscal_year", REPORTED_YEARS)
def test_every_table_row_traces_to_one_reporting_row(demo_run: DemoRun, fiscal_year: int) -> None:
    # An item asked at post and at follow-up has two rows in one comparison table: the wave
    # is named and is part of the row key, or the two rows could not be told apart.
    for path in sorted((demo_run.report_dir(fiscal_year) / "tables").glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            keys = [row["行キー"] for row in csv.DictReader(handle)]
        assert len(keys) == len(set(keys)), path.name


# --- each published figure against an independent computation ----------------------------


def counted_answers(demo_run: DemoRun) -> pd.DataFrame:
    return demo_run.query(
        """
        select fiscal_year, wave_type, program_code, item_code, value_numeric
        from marts.fct_answers
        where is_counted and value_numeric is not null
        """
    )


def _by_program(answers: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """Each program's answers and all of them (`all`; the comparison group has no program)."""
    programs = [(str(code), frame) for code, frame in answers.groupby("program_code")]
    return [("all", answers), *programs]


def independent_respondent_figures(answers: pd.DataFrame) -> pd.DataFrame:
    """Shares of every scale measure, the value distribution and the mean per fiscal year ×
    program × wave type × item, from the catalog files and the counted answers only."""
    items = catalog_csv("items.csv")
    items = items[items.section == "outcome"].set_index("item_code")
    measures = catalog_csv("scale_measures.csv")
    labels = catalog_csv("scale_labels.csv")
    answers = answers[answers.item_code.isin(items.index)].copy()
    answers["scale_code"] = answers.item_code.map(items.scale_code)
    rules: list[tuple[str, str, str, Callable[[pd.Series], pd.Series]]] = []
    for row in measures.itertuples():
        compare, threshold = OPERATORS[row.operator], float(row.threshold)
        rules.append((row.scale_code, row.measure_code, "share", _rule(compare, threshold)))
    for scale_code, value_code in _scale_values(labels):
        rule = _rule(operator.eq, float(value_code))
        rules.append((scale_code, f"value_{value_code}", "distribution", rule))
    frames = []
    keys = ["fiscal_year", "wave_type", "item_code"]
    for program, group in _by_program(answers):
        for scale_code, measure, kind, rule in rules:
            scale_answers = group[group.scale_code == scale_code]
            hits = scale_answers.assign(hit=rule(scale_answers.value_numeric))
            counts = hits.groupby(keys).hit.agg(numerator="sum", denominator="count")
            frames.append(counts.reset_index().assign(program_code=program, measure=measure))
            frames[-1]["measure_kind"] = kind
        means = group.groupby(keys).value_numeric.agg(value="mean", denominator="count")
        frames.append(
            means.reset_index().assign(program_code=program, measure="mean", measure_kind="mean")
        )
    figures = pd.concat(frames, ignore_index=True)
    shares = figures.measure_kind != "mean"
    figures.loc[shares, "value"] = figures.numerator / figures.denominator
    low, high = proportion_confint(
        figures.loc[shares, "numerator"], figures.loc[shares, "denominator"], method="wilson"
    )
    figures.loc[shares, "ci_lower"], figures.loc[shares, "ci_upper"] = low, high
    return figures


def _scale_values(labels: pd.DataFrame) -> list[tuple[str, str]]:
    """Each scale's values: its labelled codes, or every step of an integer scale's range."""
    values = list(zip(labels.scale_code, labels.value_code, strict=True))
    scales = catalog_csv("scales.csv")
    for row in scales[scales.value_type == "integer"].itertuples():
        low, high, step = int(row.min_value), int(row.max_value), int(row.step)
        values += [(row.scale_code, str(value)) for value in range(low, high + 1, step)]
    return sorted(set(values))  # an integer scale may also label some of its values


def _rule(compare: Callable, threshold: float) -> Callable[[pd.Series], pd.Series]:
    return lambda values: compare(values, threshold)


FIGURE_KEY = ["fiscal_year", "program_code", "wave_type", "item_code", "measure"]


@pytest.fixture(scope="module")
def figures(demo_run: DemoRun) -> pd.DataFrame:
    """The published respondents rows joined to the independent figures (outer join)."""
    published = demo_run.query(
        """
        select fiscal_year, program_code, wave_type, item_code, measure, measure_kind,
               numerator, denominator, value, ci_lower, ci_upper, is_suppressed
        from reporting.rpt_outcome_results
        where population = 'respondents'
        """
    )
    mine = independent_respondent_figures(counted_answers(demo_run))
    mine["fiscal_year"] = mine.fiscal_year.astype(int)
    published["fiscal_year"] = published.fiscal_year.astype(int)
    return published.merge(mine, on=FIGURE_KEY, how="outer", suffixes=("", "_mine"), indicator=True)


@pytest.mark.slow
def test_every_published_respondents_figure_has_an_independent_counterpart(
    figures: pd.DataFrame,
) -> None:
    published_only = figures[figures._merge == "left_only"][FIGURE_KEY]
    unpublished = figures[figures._merge == "right_only"][FIGURE_KEY]
    assert published_only.empty, published_only.to_string()
    assert unpublished.empty, unpublished.to_string()
    assert set(figures.fiscal_year) == {2023, 2024, 2025}
    assert {"career_school", "peer_circle", "all"} == set(figures.program_code)


@pytest.mark.slow
def test_every_published_respondents_figure_matches_the_independent_computation(
    figures: pd.DataFrame,
) -> None:
    shown = figures[figures.value.notna()]
    # Hidden cells are the small ones (or hidden with them), never a figure that disagrees.
    assert figures[figures.value.isna()].is_suppressed.all()
    assert (figures[figures.denominator_mine < 5].value.isna()).all()
    assert len(shown[shown.measure_kind == "share"]) > 100
    assert (shown.denominator == shown.denominator_mine).all()
    ratios = shown[shown.measure_kind != "mean"]
    assert (ratios.numerator == ratios.numerator_mine).all()
    for column in ("value", "ci_lower", "ci_upper"):
        checked = shown if column == "value" else ratios
        difference = (checked[column] - checked[f"{column}_mine"]).abs()
        assert difference.max() < 1e-9, checked.loc[difference.idxmax()].to_dict()


@pytest.mark.slow
@pytest.mark.parametrize("fiscal_year", REPORTED_YEARS)
def test_each_target_status_in_the_report_follows_the_independent_estimate(
    demo_run: DemoRun, figures: pd.DataFrame, fiscal_year: int
) -> None:
    path = demo_run.report_dir(fiscal_year) / "tables" / "15_indicator_targets.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        shown = {row["行キー"]: row for row in csv.DictReader(handle)}
    by_key = figures.set_index(FIGURE_KEY)
    expected_keys = set()
    for target in catalog_csv("indicator_targets.csv").itertuples():
        if target.fiscal_year and int(target.fiscal_year) != fiscal_year:
            continue
        program = target.program_code or "all"
        key = f"{fiscal_year}|{target.indicator_code}|{program}|{target.wave_type}"
        key += f"|{target.item_code}|{target.measure}"
        expected_keys.add(key)
        mine = by_key.loc[
            (fiscal_year, program, target.wave_type, target.item_code, target.measure)
        ]
        goal = float(target.target_value)
        achieved = OPERATORS[target.operator](pd.Series([mine.value_mine]), goal).iloc[0]
        row = shown[key]
        assert row["推計値(%)"] == percent_half_up(mine.value_mine), key
        assert row["判定"] == STATUS_JA["achieved" if achieved else "not_achieved"], key
        within = mine.ci_lower_mine <= goal <= mine.ci_upper_mine
        assert row["誤差の範囲"] == ("範囲内" if within else "範囲外"), key
    assert set(shown) == expected_keys


@pytest.mark.slow
def test_the_published_series_are_the_independent_shares_of_each_year(
    demo_run: DemoRun, figures: pd.DataFrame
) -> None:
    series = demo_run.query("select * from reporting.rpt_indicator_series where value is not null")
    assert set(series.fiscal_year) == {2023, 2024, 2025}
    joined = series.merge(figures, on=FIGURE_KEY, suffixes=("", "_figure"))
    assert len(joined) == len(series)
    assert (joined.value - joined.value_mine).abs().max() < 1e-9
    assert (joined.denominator == joined.denominator_mine).all()


# --- no Mamabono name in anything the example publishes -----------------------------------


def _report_texts(demo_run: DemoRun) -> dict[str, str]:
    texts: dict[str, str] = {}
    for path in sorted(demo_run.work.glob("reports/FY*/fy*/**/*")):
        if path.suffix == ".html":
            texts[str(path)] = page_text(path)
        elif path.suffix == ".csv":
            texts[str(path)] = path.read_text(encoding="utf-8-sig")
        elif path.suffix == ".xlsx":
            workbook = openpyxl.load_workbook(path, read_only=True)
            cells = [
                str(value)
                for sheet in workbook.worksheets
                for row in sheet.iter_rows(values_only=True)
                for value in row
                if value is not None
            ]
            texts[str(path)] = "\n".join([*workbook.sheetnames, *cells])
    return texts


@pytest.mark.slow
def test_no_mamabono_name_in_the_reports_or_the_alerts(demo_run: DemoRun) -> None:
    texts = _report_texts(demo_run)
    kinds = {Path(name).suffix for name in texts}
    assert kinds == {".html", ".csv", ".xlsx"}
    texts["alerts"] = (demo_run.work / "outbox" / "alerts.jsonl").read_text(encoding="utf-8")
    found = {
        name: sorted(set(MAMABONO_NAMES.findall(text)))
        for name, text in texts.items()
        if MAMABONO_NAMES.search(text)
    }
    assert found == {}


@pytest.mark.slow
def test_no_mamabono_name_in_the_published_warehouse(demo_run: DemoRun) -> None:
    columns = demo_run.query(
        """
        select table_schema, table_name, column_name from information_schema.columns
        where data_type = 'VARCHAR'
        """
    )
    found = []
    with duckdb.connect(str(demo_run.warehouse), read_only=True) as connection:
        for schema, table, column in columns.itertuples(index=False):
            values = connection.sql(
                f'select distinct "{column}" from "{schema}"."{table}" where "{column}" is not null'
            ).fetchall()
            found += [
                f"{schema}.{table}.{column}: {v}" for (v,) in values if MAMABONO_NAMES.search(v)
            ]
    assert len(columns) > 100 and found == []


@pytest.mark.slow
def test_the_example_renders_in_english_from_its_own_catalog(demo_run: DemoRun) -> None:
    """``impact report --lang en`` on the example: every label from its *_en columns."""
    env = {**os.environ, "IMPACT_CATALOG_DIR": str(EXAMPLE), "IMPACT_WORK_DIR": str(demo_run.work)}
    result = subprocess.run(
        [sys.executable, "-m", "impact_warehouse.cli", "report", "--fiscal-year", "2025",
         "--lang", "en"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "missing translations" not in result.stdout
    page = page_text(demo_run.report_dir(2025) / "impact_report_fy2025_en.html")
    assert "Hataraku Mirai FY2025 social impact report" in page
    assert "Confidence in finding a job that suits me" in page
    assert "Missing translations" not in page
    assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff「」、。]", page), re.findall(
        r".{30}[\u3040-\u30ff\u4e00-\u9fff「」、。].{30}", page
    )[:5]
    assert not MAMABONO_NAMES.search(page)
