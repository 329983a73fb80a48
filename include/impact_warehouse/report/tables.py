"""The report's tables, built from the reporting rows of one fiscal year.

Each builder returns a :class:`ReportTable` in report order; the HTML page, the CSV files and
the XLSX workbook are all written from these objects, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import pandas as pd

from impact_warehouse.report.cells import Cell, Column, ReportTable, clean
from impact_warehouse.report.data import ReportData

ALL_PROGRAMS_JA = "全体"
POPULATION_JA = {
    "respondents": "各回の回答者（非ペア）",
    "paired": "事前・事後の両方に回答（ペア）",
    "paired_strongly_anxious_at_pre": "事前の不安が強い層（1〜3点, ペア）",
}
WAVE_TYPE_JA = {"pre": "事前", "post": "事後"}
# METRICS.md "Scales": what counts as positive on each scale.
POSITIVE_JA = {
    "likert4": "肯定的回答の割合",
    "yesno": "「はい」の割合",
    "score10": "6点以上の割合",
}
FIGURE_LABEL_JA = {
    "partner_housework_hours": "配偶者の家事関連時間（週平均, 時間/日）",
    "partner_housework_share": "夫婦の家事関連時間に占める配偶者の割合",
}


def program_name(data: ReportData, program_code: str) -> str:
    if program_code in ("all", "all_programs"):
        return ALL_PROGRAMS_JA
    names = dict(zip(data.programs.program_code, data.programs.program_name_ja, strict=True))
    return names.get(program_code, program_code)


def respondent_group_ja(data: ReportData, group: str) -> str:
    """A time-use row's group in the organisation's words (organisation.csv)."""
    organisation = data.organisation
    return {
        "followup": f"{organisation.participants_label_ja}（追跡調査）",
        "comparison": f"{organisation.comparison_group_label_ja}（ウェブ調査）",
        "national_reference": "全国平均（社会生活基本調査）",
    }.get(group, group)


def indicator_title(data: ReportData, indicator_code: str) -> str:
    row = data.indicators.set_index("indicator_code").loc[indicator_code]
    return f"{row.indicator_symbol}{row.content_ja}"


def _rows(frame: pd.DataFrame) -> Iterable[Any]:
    return frame.itertuples(index=False)


def _table(
    key: str,
    title: str,
    section: str,
    columns: list[Column],
    rows: list,
    note: str = "",
    keys: Iterable[str] = (),
    folded: bool = False,
) -> ReportTable:
    return ReportTable(
        key=key,
        title_ja=title,
        columns=tuple(columns),
        rows=tuple(tuple(row) for row in rows),
        note_ja=note,
        section=section,
        row_keys=tuple(str(key) for key in keys),
        folded=folded,
    )


def outputs_table(data: ReportData) -> ReportTable:
    columns = [
        Column("カテゴリー"),
        Column("プログラム"),
        Column("実施回数", "count"),
        Column("プロジェクト数", "count"),
        Column("延べ参加者数", "count"),
        Column("参加者数（実人数）", "count"),
        Column("支援先団体数", "count"),
        Column("複数人でのプロジェクト数", "count"),
    ]
    rows = []
    for row in _rows(data.outputs):
        hidden = bool(row.is_suppressed)
        rows.append(
            [
                Cell.of(row.category_ja if row.program_code != "all" else "合計"),
                Cell.of(row.program_name_ja if row.program_code != "all" else "全プログラム"),
                Cell.of(row.cohorts_run),
                Cell.of(row.projects),
                Cell.of(row.participations, suppressed=hidden),
                Cell.of(row.participants, suppressed=hidden),
                Cell.of(row.organisations),
                Cell.of(row.multi_person_projects),
            ]
        )
    return _table(
        "01_outputs",
        f"提供したプログラムの数（{data.fiscal_year}年度）",
        "outputs",
        columns,
        rows,
        "延べ参加者数は参加の回数、実人数は同じ人を1人と数えた人数。",
        keys=data.outputs.outputs_key,
    )


def employment_table(data: ReportData) -> ReportTable:
    # One column per program group of programs.csv (Mamabono: ママボノ and NEXT), then 合計.
    headers = {**_group_headers(data), "all": "合計"}
    groups = list(headers)
    columns = [Column("就業状況")] + [Column(headers[g], "count") for g in groups]
    frame = data.employment
    rows = []
    keys = []
    for _, status_rows in frame.groupby("display_order", sort=True):
        keys.append(f"{data.fiscal_year}|{status_rows.employment_status_code.iloc[0]}")
        by_group = status_rows.set_index("program_group_code")
        cells = [Cell.of(status_rows.employment_status_ja.iloc[0])]
        for group in groups:
            if group not in by_group.index:
                cells.append(Cell.of(None))
                continue
            row = by_group.loc[group]
            cells.append(Cell.of(row.participations, suppressed=bool(row.is_suppressed)))
        rows.append(cells)
    totals = [Cell.of("合計")]
    for group in groups:
        group_rows = frame[frame.program_group_code == group]
        if group_rows.empty:
            totals.append(Cell.of(None))
            continue
        first = group_rows.iloc[0]
        totals.append(Cell.of(first.group_participations, suppressed=bool(first.is_suppressed)))
    rows.append(totals)
    return _table(
        "02_employment",
        f"参加者の就業状況内訳（{data.fiscal_year}年度, 延べ人数）",
        "outputs",
        columns,
        rows,
        "参加時点の就業状況。" + _group_notes(data),
        keys=[*keys, f"{data.fiscal_year}|total"],
    )


def _group_headers(data: ReportData) -> dict[str, str]:
    """Program group → its column header (short name, else name), in programs order."""
    programs = data.programs.drop_duplicates("program_group_code")
    headers = programs.program_group_short_ja.fillna(programs.program_group_name_ja)
    return dict(zip(programs.program_group_code, headers, strict=True))


def _group_notes(data: ReportData) -> str:
    """What each group of several programs adds up ("NEXT は社会調査編と …の合計。")."""
    headers = _group_headers(data)
    notes = []
    for code, group in data.programs.groupby("program_group_code", sort=False):
        if len(group) < 2:
            continue
        first = group.iloc[0]
        header = headers[code]
        # Program names repeat the group's name ("ママボノNEXT 社会調査編"): drop it here.
        names = [
            name.removeprefix(first.program_group_name_ja).strip() for name in group.program_name_ja
        ]
        notes.append(f"{header} は{'と '.join(names)}の合計。")
    return "".join(notes)


def support_measures_table(data: ReportData) -> ReportTable:
    columns = [Column("施策"), Column("数", "count"), Column("割合", "percent"), Column("内訳")]
    frame = data.support_measures
    rows = []
    keys = []
    if not frame.empty:
        first = frame.iloc[0]
        keys.append(f"{data.fiscal_year}|multi_person_projects")
        rows.append(
            [
                Cell.of("複数人でのプロジェクトへの参加機会"),
                Cell.of(first.multi_person_projects_of_year),
                Cell.of(first.multi_person_project_share_of_year),
                Cell.of(f"全{int(first.projects_of_year)}プロジェクト中"),
            ]
        )
    for _, type_rows in frame.groupby("display_order", sort=True):
        total = type_rows[type_rows.program_code == "all"]
        parts = type_rows[type_rows.program_code != "all"]
        breakdown = "／".join(
            f"{program_name(data, part.program_code)}{int(part.measures)}回"
            for part in _rows(parts)
        )
        keys.append(f"{data.fiscal_year}|{type_rows.support_measure_type.iloc[0]}")
        rows.append(
            [
                Cell.of(type_rows.support_measure_type_ja.iloc[0]),
                Cell.of(total.measures.iloc[0] if not total.empty else None),
                Cell.of(None),
                Cell.of(breakdown or None),
            ]
        )
    return _table(
        "03_support_measures",
        f"運営サポートや経験をその後に活かしていくための施策等の数（{data.fiscal_year}年度）",
        "outputs",
        columns,
        rows,
        keys=keys,
    )


def cumulative_table(data: ReportData) -> ReportTable:
    columns = [
        Column("年度", "year"),
        Column("プログラム"),
        Column("延べ参加者数", "count"),
        Column("参加者数（実人数）", "count"),
        Column("累積延べ参加者数", "count"),
        Column("累積参加者数（実人数）", "count"),
    ]
    rows = []
    for row in _rows(data.cumulative.sort_values(["fiscal_year", "program_code"])):
        hidden = bool(row.is_suppressed)
        rows.append(
            [
                Cell.of(row.fiscal_year),
                Cell.of(program_name(data, row.program_code)),
                Cell.of(row.participations, suppressed=hidden),
                Cell.of(row.participants, suppressed=hidden),
                Cell.of(row.cumulative_participations, suppressed=hidden),
                Cell.of(row.cumulative_participants, suppressed=hidden),
            ]
        )
    return _table(
        "04_cumulative_participants",
        f"延べ参加者数（累積, {int(data.cumulative.fiscal_year.min())}〜{data.fiscal_year}年度）"
        if not data.cumulative.empty
        else "延べ参加者数（累積）",
        "outputs",
        columns,
        rows,
        "複数回参加した人は、実人数では1人と数える。",
        keys=data.cumulative.sort_values(
            ["fiscal_year", "program_code"]
        ).cumulative_participants_key,
    )


def wave_status(row: Any, as_of: date) -> str:
    if as_of < row.open_date.date():
        return "実施前"
    if as_of <= row.close_date.date():
        return "実施中"
    return "終了"


def waves_table(data: ReportData, *, as_of: date, k: int) -> ReportTable:
    columns = [
        Column("アンケート"),
        Column("プログラム"),
        Column("期間"),
        Column("状況"),
        Column("対象者"),
        Column("対象者数", "count"),
        Column("回答者数", "count"),
        Column("回答率", "percent"),
    ]
    rows = []
    for row in _rows(data.waves):
        targeted = clean(row.targeted)
        # METRICS.md "Small cells": a response count over fewer than k people is not shown.
        hidden = targeted is not None and 0 < targeted < k
        period = f"{row.open_date:%Y/%-m/%-d}～{row.close_date:%Y/%-m/%-d}"
        rows.append(
            [
                Cell.of(row.wave_type_ja),
                Cell.of(program_name(data, row.program_code)),
                Cell.of(period),
                Cell.of(wave_status(row, as_of)),
                Cell.of(row.targeted_population_ja),
                Cell.of(targeted),
                Cell.of(row.responded, suppressed=hidden),
                Cell.of(row.response_rate, suppressed=hidden),
            ]
        )
    return _table(
        "05_survey_waves",
        f"アンケート実施概要と回答率（{data.fiscal_year}年度）",
        "waves",
        columns,
        rows,
        "回答率 = 回答した対象者 ÷ 対象者数。比較群はウェブ調査のため対象者数は目標回収数、"
        "回答率はない。",
        keys=data.waves.wave_code,
    )


def short_term_table(data: ReportData) -> ReportTable:
    labels = list(data.likert_labels.label_ja)
    columns = [
        Column("プログラム"),
        Column("指標"),
        Column("項目"),
        Column("回答者数 N", "count"),
        *(Column(label, "percent") for label in labels),
        Column("肯定的回答の割合", "percent"),
        Column("95%信頼区間", "interval_percent"),
        Column("回答率", "percent"),
    ]
    rows = []
    for row in _rows(data.short_term):
        hidden = bool(row.is_suppressed)
        shares = (
            row.share_agree,
            row.share_somewhat_agree,
            row.share_somewhat_disagree,
            row.share_disagree,
        )
        rows.append(
            [
                Cell.of(program_name(data, row.program_code)),
                Cell.of(row.indicator_symbol),
                Cell.of(row.report_label_ja),
                Cell.of(row.respondents, suppressed=hidden),
                *(Cell.of(share, suppressed=hidden) for share in shares),
                Cell.of(row.share, suppressed=hidden),
                Cell.of((row.share_ci_lower, row.share_ci_upper), suppressed=hidden),
                Cell.of(row.response_rate),
            ]
        )
    return _table(
        "06_short_term_outcomes",
        f"短期アウトカム ④〜⑩（{data.fiscal_year}年度 終了後アンケート）",
        "short_term",
        columns,
        rows,
        "肯定的回答 = そう思う + ややそう思う。割合の分母は各項目の有効回答者数 N。",
        keys=data.short_term.short_term_outcome_key,
    )


def _pre_post_label_cells(data: ReportData, row: Any) -> list[Cell]:
    return [
        Cell.of(program_name(data, row.program_code)),
        Cell.of(POPULATION_JA.get(row.population, row.population)),
        Cell.of(row.indicator_symbol),
        Cell.of(row.report_label_ja),
        Cell.of(WAVE_TYPE_JA[row.wave_type]),
    ]


_PRE_POST_LABEL_COLUMNS = (
    Column("プログラム"),
    Column("対象"),
    Column("指標"),
    Column("項目"),
    Column("時点"),
)


def pre_post_table(data: ReportData) -> ReportTable:
    columns = [
        *_PRE_POST_LABEL_COLUMNS,
        Column("回答者数 N", "count"),
        Column("6点以上", "percent"),
        Column("8点以上", "percent"),
        Column("5点以下", "percent"),
        Column("3点以下", "percent"),
        Column("平均点", "mean"),
        Column("見出しの割合の95%信頼区間", "interval_percent"),
    ]
    rows = []
    for row in _rows(data.pre_post):
        hidden = bool(row.is_suppressed)
        rows.append(
            [
                *_pre_post_label_cells(data, row),
                Cell.of(row.respondents, suppressed=hidden),
                Cell.of(row.share_confident, suppressed=hidden),
                Cell.of(row.share_high, suppressed=hidden),
                Cell.of(row.share_anxious, suppressed=hidden),
                Cell.of(row.share_strongly_anxious, suppressed=hidden),
                Cell.of(row.mean_score, suppressed=hidden),
                Cell.of((row.headline_ci_lower, row.headline_ci_upper), suppressed=hidden),
            ]
        )
    return _table(
        "07_pre_post_scores",
        f"⑥⑦ 事前・事後の10段階評価（{data.fiscal_year}年度）",
        "pre_post",
        columns,
        rows,
        "自信（10段階）は6点以上を「自信がある」、不安（10段階, 1 = 最も不安が強い）は5点以下を"
        "「不安がある」、3点以下を「不安が強い」とする。見出しの割合は、自信は6点以上、"
        "不安は5点以下。",
        keys=data.pre_post.pre_post_confidence_key,
    )


def pre_post_distribution_table(data: ReportData) -> ReportTable:
    columns = [
        *_PRE_POST_LABEL_COLUMNS,
        Column("回答者数 N", "count"),
        *(Column(f"{score}点", "percent") for score in range(1, 11)),
    ]
    rows = []
    for row in _rows(data.pre_post):
        hidden = bool(row.is_suppressed)
        record = row._asdict()
        rows.append(
            [
                *_pre_post_label_cells(data, row),
                Cell.of(row.respondents, suppressed=hidden),
                *(
                    Cell.of(record[f"share_score_{score:02d}"], suppressed=hidden)
                    for score in range(1, 11)
                ),
            ]
        )
    return _table(
        "08_pre_post_distribution",
        f"⑥⑦ 10段階の回答の分布（{data.fiscal_year}年度）",
        "pre_post",
        columns,
        rows,
        "各点の割合の分母は回答者数 N。",
        keys=data.pre_post.pre_post_confidence_key,
        folded=True,
    )


def pre_post_tests_table(data: ReportData) -> ReportTable:
    columns = [
        Column("プログラム"),
        Column("項目"),
        Column("ペア数 N", "count"),
        Column("McNemar検定 p値", "p_value"),
        Column("平均点の変化（事後−事前）", "mean"),
        Column("平均点の変化の95%信頼区間", "interval_mean"),
        Column("Wilcoxon符号順位検定 p値", "p_value"),
    ]
    paired = data.pre_post[data.pre_post.population == "paired"]
    rows = []
    keys = []
    for (program, item), pair in paired.groupby(["program_code", "item_code"], sort=False):
        # Tests are published only when both the pre and the post row are (dbt docs).
        hidden = bool(pair.is_suppressed.any())
        keys.append(f"{data.fiscal_year}|{program}|paired|{item}")
        post = (
            pair[pair.wave_type == "post"].iloc[0]
            if (pair.wave_type == "post").any()
            else pair.iloc[0]
        )
        rows.append(
            [
                Cell.of(program_name(data, program)),
                Cell.of(post.report_label_ja),
                Cell.of(post.respondents, suppressed=hidden),
                Cell.of(post.mcnemar_p_value, suppressed=hidden),
                Cell.of(post.mean_shift, suppressed=hidden),
                Cell.of((post.mean_shift_ci_lower, post.mean_shift_ci_upper), suppressed=hidden),
                Cell.of(post.wilcoxon_p_value, suppressed=hidden),
            ]
        )
    return _table(
        "09_pre_post_tests",
        f"⑥⑦ ペアでの事前・事後の検定（{data.fiscal_year}年度）",
        "pre_post",
        columns,
        rows,
        "事前・事後の両方に回答した人（ペア）だけで比較。事前・事後いずれかの行が非表示のときは"
        "検定結果も非表示。",
        keys=keys,
    )


def measure_label(scale_code: str, measure: str) -> str:
    if measure == "high":
        return "8点以上の割合"
    return POSITIVE_JA.get(scale_code, "肯定的回答の割合")


def _comparison_columns(with_measure: bool) -> list[Column]:
    return [
        Column("プログラム"),
        *(
            [Column("指標"), Column("項目"), Column("指標の種類")]
            if with_measure
            else [Column("項目")]
        ),
        Column("参加者 N", "count"),
        Column("参加者の割合", "percent"),
        Column("参加者の95%信頼区間", "interval_percent"),
        Column("比較群 N", "count"),
        Column("比較群の割合", "percent"),
        Column("比較群の95%信頼区間", "interval_percent"),
        Column("差（ポイント）", "points"),
        Column("差の95%信頼区間", "interval_points"),
        Column("Fisher正確検定 p値", "p_value"),
    ]


def _comparison_cells(row: Any) -> list[Cell]:
    hidden = bool(row.is_suppressed)
    return [
        Cell.of(row.respondents, suppressed=hidden),
        Cell.of(row.share, suppressed=hidden),
        Cell.of((row.share_ci_lower, row.share_ci_upper), suppressed=hidden),
        Cell.of(row.comparison_respondents, suppressed=hidden),
        Cell.of(row.comparison_share, suppressed=hidden),
        Cell.of((row.comparison_share_ci_lower, row.comparison_share_ci_upper), suppressed=hidden),
        Cell.of(row.difference_points, suppressed=hidden),
        Cell.of((row.difference_ci_lower, row.difference_ci_upper), suppressed=hidden),
        Cell.of(row.fisher_p_value, suppressed=hidden),
    ]


def mid_term_table(data: ReportData) -> ReportTable:
    rows = [
        [
            Cell.of(program_name(data, row.program_code)),
            Cell.of(row.indicator_symbol),
            Cell.of(row.report_label_ja),
            Cell.of(measure_label(row.scale_code, row.measure)),
            *_comparison_cells(row),
        ]
        for row in _rows(data.mid_term)
    ]
    return _table(
        "10_mid_term_outcomes",
        f"中期アウトカム ⑪〜⑮ 比較群との比較（{data.fiscal_year}年度 追跡調査）",
        "mid_term",
        _comparison_columns(with_measure=True),
        rows,
        "差 = 参加者の割合 − 比較群の割合（ポイント）。信頼区間は Newcombe 法（ハイブリッド"
        " Wilson）。",
        keys=data.mid_term.mid_term_outcome_key,
    )


def mommy_track_table(data: ReportData) -> ReportTable:
    rows = [
        [
            Cell.of(program_name(data, row.program_code)),
            Cell.of(row.report_label_ja),
            *_comparison_cells(row),
        ]
        for row in _rows(data.mommy_track)
    ]
    return _table(
        "12_mommy_track",
        f"見えてきた課題：マミートラック（{data.fiscal_year}年度 追跡調査）",
        "mommy_track",
        _comparison_columns(with_measure=False),
        rows,
        "割合 = そう思う + ややそう思う。",
        keys=data.mommy_track.mommy_track_key,
    )


def time_use_table(data: ReportData) -> ReportTable:
    columns = [
        Column("群"),
        Column("回答者数 N", "count"),
        Column("本人（妻）", "hours"),
        Column("本人の95%信頼区間", "interval_hours"),
        Column("配偶者（夫）", "hours"),
        Column("配偶者の95%信頼区間", "interval_hours"),
        Column("配偶者の分担割合", "percent"),
        Column("配偶者の差（参加者−比較群）", "hours_diff"),
        Column("分担割合の差（参加者−比較群）", "points"),
        Column("出典"),
    ]
    rows = []
    for row in _rows(data.time_use):
        hidden = bool(row.is_suppressed)
        rows.append(
            [
                Cell.of(respondent_group_ja(data, row.respondent_group)),
                Cell.of(row.respondents, suppressed=hidden),
                Cell.of(row.self_hours_mean, suppressed=hidden),
                Cell.of((row.self_hours_ci_lower, row.self_hours_ci_upper), suppressed=hidden),
                Cell.of(row.partner_hours_mean, suppressed=hidden),
                Cell.of(
                    (row.partner_hours_ci_lower, row.partner_hours_ci_upper), suppressed=hidden
                ),
                Cell.of(row.partner_share, suppressed=hidden),
                Cell.of(row.partner_difference_hours, suppressed=hidden),
                Cell.of(row.partner_share_difference_points, suppressed=hidden),
                Cell.of(row.source_ja),
            ]
        )
    return _table(
        "11_time_use",
        f"⑮ 家事関連時間の週平均（時間/日, {data.fiscal_year}年度）",
        "time_use",
        columns,
        rows,
        "週平均 = (5 × 平日 + 2 × 休日) ÷ 7。分担割合 = 配偶者 ÷ (本人 + 配偶者)。"
        "全国平均は二次資料からの引用。",
        keys=data.time_use.time_use_key,
    )


def summary_label(data: ReportData, row: Any) -> str:
    if row.figure_code in FIGURE_LABEL_JA:
        return FIGURE_LABEL_JA[row.figure_code]
    labels = dict(zip(data.items.item_code, data.items.report_label_ja, strict=True))
    label = labels.get(row.item_code, row.item_code)
    suffix = {"confident": "（6点以上）", "anxious": "（5点以下）"}.get(row.measure)
    return label + (suffix or "")


def summary_table(data: ReportData) -> ReportTable:
    columns = [
        Column("種別"),
        Column("指標"),
        Column("項目"),
        Column("回答者数 N", "count"),
        Column("値（割合）", "percent"),
        Column("値（時間/日）", "hours"),
        Column("値の95%信頼区間", "interval_percent"),
        Column("比較対象"),
        Column("比較対象 N", "count"),
        Column("比較対象の値（割合）", "percent"),
        Column("比較対象の値（時間/日）", "hours"),
        Column("差（ポイント）", "points"),
        Column("差（時間/日）", "hours_diff"),
        Column("差の95%信頼区間", "interval_points"),
        Column("p値", "p_value"),
    ]
    rows = []
    ordered = summary_rows(data)
    for row in _rows(ordered):
        hidden = bool(row.is_suppressed)
        share = row.unit == "share"
        baseline = {"pre": "事前（同じ年度）", "comparison": "比較群"}.get(
            clean(row.baseline_wave_type)
        )
        rows.append(
            [
                Cell.of(
                    "短期アウトカム" if row.indicator_type == "short_term" else "中期アウトカム"
                ),
                Cell.of(indicator_title(data, row.indicator_code)),
                Cell.of(summary_label(data, row)),
                Cell.of(row.respondents, suppressed=hidden),
                Cell.of(row.value if share else None, suppressed=hidden),
                Cell.of(None if share else row.value, suppressed=hidden),
                Cell.of((row.ci_lower, row.ci_upper) if share else (None, None), suppressed=hidden),
                Cell.of(baseline),
                Cell.of(row.baseline_respondents, suppressed=hidden),
                Cell.of(row.baseline_value if share else None, suppressed=hidden),
                Cell.of(None if share else row.baseline_value, suppressed=hidden),
                Cell.of(
                    row.difference if row.difference_unit == "points" else None, suppressed=hidden
                ),
                Cell.of(
                    row.difference if row.difference_unit == "hours" else None, suppressed=hidden
                ),
                Cell.of((row.difference_ci_lower, row.difference_ci_upper), suppressed=hidden),
                Cell.of(row.p_value, suppressed=hidden),
            ]
        )
    return _table(
        "13_summary",
        f"評価結果まとめ（{data.fiscal_year}年度）",
        "summary",
        columns,
        rows,
        "事前との比較は各回の回答者（非ペア）の割合、比較群との比較は Fisher 正確検定。",
        keys=ordered.summary_key,
        folded=True,
    )


def summary_rows(data: ReportData) -> pd.DataFrame:
    """Summary rows in report order: short-term ④–⑩, then mid-term ⑪–⑮."""
    frame = data.summary.copy()
    frame["_type_order"] = (frame.indicator_type != "short_term").astype(int)
    return frame.sort_values(["_type_order", "indicator_code", "display_order"]).drop(
        columns="_type_order"
    )


def build_tables(data: ReportData, *, as_of: date, k: int) -> list[ReportTable]:
    return [
        outputs_table(data),
        employment_table(data),
        support_measures_table(data),
        cumulative_table(data),
        waves_table(data, as_of=as_of, k=k),
        short_term_table(data),
        pre_post_table(data),
        pre_post_distribution_table(data),
        pre_post_tests_table(data),
        mid_term_table(data),
        time_use_table(data),
        mommy_track_table(data),
        summary_table(data),
    ]
