"""The demo generator: determinism, the as-of cut-off, the file formats, and — above all — an
independent re-computation of every FY2025 report figure from the generated files.

The re-computation applies METRICS.md here, from scratch: latest submission per respondent
e-mail (NFKC, strip, lower) and wave, linked to the targeted roster by that e-mail, blanks and
out-of-scale answers (after NFKC) left out of numerator and denominator.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from impact_warehouse.catalog import Catalog, QuestionMatcher, load_catalog, normalise_title
from impact_warehouse.demo.generator import generate_demo_sources

AS_OF = date(2026, 11, 23)
SEEDS = (2025, 7)
PROFILE_COLUMNS = ("サンプルID", "年齢", "居住地域", "就業形態", "回答日時")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> dict[int, Path]:
    """One generation per seed, as of the brief's 'today'."""
    outputs = {}
    for seed in SEEDS:
        out = tmp_path_factory.mktemp(f"demo_seed_{seed}")
        generate_demo_sources(out, seed=seed, as_of=AS_OF, catalog=catalog)
        outputs[seed] = out
    return outputs


# -- reading the generated files (independently of the generator's code) ------------------


def normalised_email(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def read_sheet(path: Path, sheet: str) -> list[dict[str, Any]]:
    workbook = load_workbook(path, read_only=True)
    rows = list(workbook[sheet].iter_rows(values_only=True))
    workbook.close()
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def operations_rows(out: Path, sheet: str) -> list[dict[str, Any]]:
    rows = []
    for path in sorted((out / "inbox" / "operations").glob("運営管理_FY*.xlsx")):
        rows.extend(read_sheet(path, sheet))
    return rows


def roster_emails(out: Path, cohort_codes: tuple[str, ...]) -> set[str]:
    return {
        normalised_email(row["メールアドレス"])
        for row in operations_rows(out, "参加者名簿")
        if row["コホート"] in cohort_codes
    }


def question_items(catalog: Catalog, form: dict[str, Any], fiscal_year: int) -> dict[str, str]:
    """questionId → item_code for every question of a form that matches a catalog item."""
    matcher = QuestionMatcher(catalog, fiscal_year)
    mapping = {}
    for item in form["items"]:
        if "questionItem" in item:
            questions = [(item["questionItem"]["question"]["questionId"], item["title"])]
        else:
            questions = [
                (row["questionId"], row["rowQuestion"]["title"])
                for row in item["questionGroupItem"]["questions"]
            ]
        for question_id, title in questions:
            match = matcher.match(title, source_ref=form["formId"], question_id=question_id)
            if match.item_code is not None:
                mapping[question_id] = match.item_code
    return mapping


def response_lines(out: Path, form_id: str) -> Iterator[dict[str, Any]]:
    path = out / "google_forms" / "responses" / f"{form_id}.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict):
            yield record


def linked_answers(out: Path, catalog: Catalog, wave_code: str) -> dict[str, dict[str, str]]:
    """Latest linked submission per targeted person: e-mail → {item_code: raw answer}."""
    wave = catalog.waves[wave_code]
    form = json.loads((out / "google_forms" / "forms" / f"{wave.source_ref}.json").read_text())
    items = question_items(catalog, form, wave.fiscal_year)
    targeted = roster_emails(out, wave.target_cohorts)
    latest: dict[str, dict[str, Any]] = {}
    for response in response_lines(out, wave.source_ref):
        if response.get("formId") != wave.source_ref or "responseId" not in response:
            continue
        email = normalised_email(response.get("respondentEmail", ""))
        if email not in targeted:
            continue
        kept = latest.get(email)
        if kept is None or response["lastSubmittedTime"] > kept["lastSubmittedTime"]:
            latest[email] = response
    return {
        email: {
            items[question_id]: answer["textAnswers"]["answers"][0]["value"]
            for question_id, answer in response["answers"].items()
            if question_id in items
        }
        for email, response in latest.items()
    }


def panel_rows(out: Path, catalog: Catalog, wave_code: str) -> list[dict[str, str]]:
    """Distinct panel rows (by サンプルID) keyed by item_code, matched after folding wave dashes."""
    wave = catalog.waves[wave_code]
    path = out / "inbox" / "panel" / f"{wave.source_ref}_macromill.csv"
    reader = csv.reader(io.StringIO(path.read_bytes().decode("cp932"), newline=""))
    header = next(reader)
    by_title = {
        folded_title(item.wording_for(wave.fiscal_year) or ""): code
        for code, item in catalog.items.items()
        if "comparison" in item.asked_in
    }
    columns = {index: by_title[folded_title(title)] for index, title in enumerate(header[5:], 5)}
    rows: dict[str, dict[str, str]] = {}
    for row in reader:
        rows.setdefault(row[0], {code: row[index] for index, code in columns.items() if row[index]})
    return list(rows.values())


def folded_title(title: str) -> str:
    # CP932 brings "〜" (U+301C) back as "～", which NFKC turns into "~".
    return normalise_title(title).replace("\u301c", "~")


# -- METRICS.md, applied here --------------------------------------------------------------


def valid_code(catalog: Catalog, item_code: str, raw: str | None) -> float | None:
    """The answer's code on the item's scale after NFKC, or None if blank or invalid."""
    if raw is None:
        return None
    text = unicodedata.normalize("NFKC", raw).strip()
    scale = catalog.scales[catalog.items[item_code].scale_code]
    if scale.labels:
        return scale.labels.get(text)
    try:
        value = float(text)
    except ValueError:
        return None
    if scale.min_value is not None and not scale.min_value <= value <= (scale.max_value or value):
        return None
    if scale.value_type == "integer" and not value.is_integer():
        return None
    if scale.step and (value / scale.step) % 1:
        return None
    return value


def is_positive(item_scale: str, value: float) -> bool:
    return {"likert4": value >= 3, "yesno": value == 1, "score10": value >= 6}[item_scale]


@dataclass
class Share:
    positive: int = 0
    valid: int = 0

    @property
    def percent(self) -> float:
        return 100 * self.positive / self.valid


def share(
    catalog: Catalog, answers: list[dict[str, str]], item_code: str, rule: Any = None
) -> Share:
    scale = catalog.items[item_code].scale_code
    result = Share()
    for respondent in answers:
        value = valid_code(catalog, item_code, respondent.get(item_code))
        if value is None:
            continue
        result.valid += 1
        result.positive += rule(value) if rule else is_positive(scale, value)
    return result


HOURS = (
    "housework_hours_weekday_self",
    "housework_hours_weekend_self",
    "housework_hours_weekday_partner",
    "housework_hours_weekend_partner",
)


@dataclass
class TimeUse:
    self_mean: float
    partner_mean: float
    respondents: int

    @property
    def partner_share(self) -> float:
        return self.partner_mean / (self.self_mean + self.partner_mean)


def time_use(catalog: Catalog, answers: list[dict[str, str]]) -> TimeUse:
    pairs = []
    for respondent in answers:
        values = [valid_code(catalog, item, respondent.get(item)) for item in HOURS]
        if any(value is None for value in values):
            continue
        weekday_self, weekend_self, weekday_partner, weekend_partner = values
        pairs.append(
            (
                (5 * weekday_self + 2 * weekend_self) / 7,
                (5 * weekday_partner + 2 * weekend_partner) / 7,
            )
        )
    return TimeUse(
        self_mean=sum(own for own, _ in pairs) / len(pairs),
        partner_mean=sum(partner for _, partner in pairs) / len(pairs),
        respondents=len(pairs),
    )


@dataclass
class Fy2025:
    """Every FY2025 figure, recomputed from the files."""

    catalog: Catalog
    pre: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    pre_by_email: dict[str, dict[str, str]] = field(default_factory=dict)
    post: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    post_by_email: dict[str, dict[str, str]] = field(default_factory=dict)
    followup: list[dict[str, str]] = field(default_factory=list)
    comparison: list[dict[str, str]] = field(default_factory=list)

    @property
    def pre_pooled(self) -> list[dict[str, str]]:
        return [answers for wave in self.pre.values() for answers in wave]

    @property
    def post_pooled(self) -> list[dict[str, str]]:
        return [answers for wave in self.post.values() for answers in wave]

    def share(self, group: list[dict[str, str]], item: str, rule: Any = None) -> Share:
        return share(self.catalog, group, item, rule)

    def difference(self, item: str) -> float:
        return self.share(self.followup, item).percent - self.share(self.comparison, item).percent

    def score(self, answers: dict[str, str] | None, item: str) -> float | None:
        return valid_code(self.catalog, item, (answers or {}).get(item))


def fy2025(out: Path, catalog: Catalog) -> Fy2025:
    figures = Fy2025(catalog)
    for program in ("mamabono", "npo_mentoring"):
        pre = linked_answers(out, catalog, f"{program}_2025_pre")
        post = linked_answers(out, catalog, f"{program}_2025_post")
        figures.pre[program], figures.post[program] = list(pre.values()), list(post.values())
        figures.pre_by_email.update(pre)
        figures.post_by_email.update(post)
    figures.followup = list(linked_answers(out, catalog, "followup_2025").values())
    figures.comparison = panel_rows(out, catalog, "comparison_2025")
    return figures


@pytest.fixture(scope="module")
def figures(generated: dict[int, Path], catalog: Catalog) -> dict[int, Fy2025]:
    return {seed: fy2025(out, catalog) for seed, out in generated.items()}


def assert_share(actual: Share, positive: int, valid: int) -> None:
    assert (actual.positive, actual.valid) == (positive, valid)


# -- the FY2025 report, figure by figure ----------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_short_term_response_rates(
    figures: dict[int, Fy2025], generated: dict[int, Path], seed: int
) -> None:
    result = figures[seed]
    out = generated[seed]
    assert len(roster_emails(out, ("mamabono_2025",))) == 32
    assert len(roster_emails(out, ("npo_mentoring_2025",))) == 20
    assert len(result.post["mamabono"]) == 24  # 75%
    assert len(result.post["npo_mentoring"]) == 20  # 100%
    assert len(result.pre_pooled) >= 48


@pytest.mark.parametrize("seed", SEEDS)
def test_post_shares(figures: dict[int, Fy2025], seed: int) -> None:
    result = figures[seed]
    post = result.post_pooled
    assert len(post) == 44
    assert_share(result.share(post, "career_confidence"), 31, 41)  # 75.6%
    assert_share(result.share(post, "skill_recognised"), 36, 41)  # 87.8%
    assert_share(result.share(post, "anxiety_relieved"), 28, 42)  # 66.7%
    assert_share(result.share(post, "working_parent_practice"), 7, 41)  # 17.1%
    assert_share(result.share(post, "social_connection_felt"), 38, 40)  # 95.0%
    assert_share(result.share(post, "social_usefulness_felt"), 35, 42)  # 83.3%
    for item in ("perspective_broadened", "learning_gained"):
        assert result.share(post, item).percent >= 90
    for item in ("social_issue_interest", "volunteering_interest", "npo_view_changed"):
        assert result.share(post, item).percent > 80
    for item in ("work_sense_regained", "leadership_confidence"):
        assert result.share(post, item).percent >= 65
    assert 40 <= result.share(post, "work_practice_changed").percent <= 60


@pytest.mark.parametrize("seed", SEEDS)
def test_pre_shares_and_the_strongly_anxious(figures: dict[int, Fy2025], seed: int) -> None:
    result = figures[seed]
    pre = result.pre_pooled
    assert_share(result.share(pre, "career_confidence"), 23, 45)  # 51.1%
    assert_share(result.share(pre, "return_anxiety", lambda value: value <= 5), 27, 48)  # 56.3%
    strongly_anxious = [
        email
        for email, answers in result.pre_by_email.items()
        if (result.score(answers, "return_anxiety") or 99) <= 3
    ]
    assert len(strongly_anxious) == 6
    for email in strongly_anxious:
        before, after = result.pre_by_email[email], result.post_by_email.get(email)
        for item in ("return_anxiety", "career_confidence"):
            post_score, pre_score = result.score(after, item), result.score(before, item)
            assert post_score is not None and pre_score is not None
            assert post_score > pre_score


@pytest.mark.parametrize("seed", SEEDS)
def test_paired_career_confidence_is_plausible(figures: dict[int, Fy2025], seed: int) -> None:
    result = figures[seed]
    pairs = [
        (
            result.score(result.pre_by_email[email], "career_confidence"),
            result.score(post, "career_confidence"),
        )
        for email, post in result.post_by_email.items()
        if email in result.pre_by_email
    ]
    paired = [
        (before, after) for before, after in pairs if before is not None and after is not None
    ]
    assert len(paired) == 38
    confident_before = sum(before >= 6 for before, _ in paired)
    confident_after = sum(after >= 6 for _, after in paired)
    assert confident_before < confident_after
    improved = sum(after > before for before, after in paired)
    worse = sum(after < before for before, after in paired)
    assert improved > worse > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_followup_and_comparison(
    figures: dict[int, Fy2025], generated: dict[int, Path], seed: int
) -> None:
    result = figures[seed]
    targeted = roster_emails(
        generated[seed],
        ("mamabono_2023", "npo_mentoring_2023", "mamabono_2024", "npo_mentoring_2024"),
    )
    assert len(targeted) == 126
    assert len(result.followup) == 32  # 25.4%
    assert round(100 * len(result.followup) / len(targeted), 1) == 25.4
    assert len(result.comparison) == 309
    report = {
        "challenged_at_work": 35.3,
        "wants_challenge_at_work": 57.7,
        "challenged_in_private": 38.9,
        "wants_challenge_in_private": 53.5,
        "connections_widened": 44.4,
        "wants_wider_connections": 48.0,
    }
    for item, points in report.items():
        assert result.difference(item) == pytest.approx(points, abs=0.05), item
    assert 39.5 <= result.difference("career_confidence") <= 40.5
    assert result.share(result.followup, "self_care_as_parent").percent == pytest.approx(90.0)
    assert result.share(result.followup, "social_usefulness_felt").percent == pytest.approx(
        60, abs=0.7
    )
    for item in ("assigned_auxiliary_work", "unfair_evaluation"):
        assert 0 <= result.difference(item) <= 5, item


@pytest.mark.parametrize("seed", SEEDS)
def test_time_use(figures: dict[int, Fy2025], seed: int) -> None:
    result = figures[seed]
    followup = time_use(result.catalog, result.followup)
    comparison = time_use(result.catalog, result.comparison)
    assert followup.respondents == 29  # three excluded: a blank, "25" and "2時間半"
    assert comparison.respondents == 308  # the row with "30"
    assert followup.partner_mean - comparison.partner_mean == pytest.approx(0.6, abs=0.05)
    assert 100 * (followup.partner_share - comparison.partner_share) == pytest.approx(2.1, abs=0.05)
    for group in (followup, comparison):
        assert 5.5 <= group.self_mean <= 7.5
        assert 1.5 <= group.partner_mean <= 2.5


def test_outputs_and_employment(generated: dict[int, Path]) -> None:
    out = generated[SEEDS[0]]
    workbook = out / "inbox" / "operations" / "運営管理_FY2025.xlsx"
    roster = read_sheet(workbook, "参加者名簿")
    projects = read_sheet(workbook, "プロジェクト")
    measures = read_sheet(workbook, "施策・イベント")
    by_program = Counter(row["プログラム"] for row in roster)
    assert by_program == {
        "ママボノ": 32,
        "ママボノNEXT 社会調査編": 13,
        "ママボノNEXT NPOメンタリングプログラム": 20,
    }
    project_counts = Counter(row["プログラム"] for row in projects)
    assert project_counts == {
        "ママボノ": 6,
        "ママボノNEXT 社会調査編": 1,
        "ママボノNEXT NPOメンタリングプログラム": 10,
    }
    organisations = defaultdict(set)
    for row in projects:
        organisations[row["プログラム"]].add(row["支援先団体ID"])
    assert {program: len(ids) for program, ids in organisations.items()} == {
        "ママボノ": 6,
        "ママボノNEXT 社会調査編": 1,
        "ママボノNEXT NPOメンタリングプログラム": 8,
    }
    assert all(row["形態"] == "複数人" for row in projects)
    assert sum(row["参加人数"] for row in projects if row["プログラム"] == "ママボノ") == 32
    employment = Counter(
        (row["プログラム"] == "ママボノ", row["参加時の就業状況"]) for row in roster
    )
    assert employment == {
        (True, "産休・育休中"): 26,
        (True, "離職中／専業主婦"): 2,
        (True, "海外帯同中（退職・休職含む）"): 4,
        (False, "産休・育休中"): 8,
        (False, "離職中／専業主婦"): 4,
        (False, "正社員として働いている"): 17,
        (False, "フリーランス・自営業として働いている"): 4,
    }
    kinds = Counter((row["種別"], row["プログラム"]) for row in measures)
    assert kinds == {
        ("勉強会、動画提供", "ママボノ"): 2,
        ("勉強会、動画提供", "ママボノNEXT NPOメンタリングプログラム"): 1,
        ("共有会・振り返り会", "ママボノ"): 2,
        ("共有会・振り返り会", "ママボノNEXT 社会調査編"): 1,
        ("共有会・振り返り会", "ママボノNEXT NPOメンタリングプログラム"): 2,
        ("両立支援系のイベント", "全体"): 3,
    }


def test_people_overlap_across_cohorts(generated: dict[int, Path]) -> None:
    rows = operations_rows(generated[SEEDS[0]], "参加者名簿")
    cohorts_of: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        cohorts_of[normalised_email(row["メールアドレス"])].add(row["コホート"])
    assert max(len(cohorts) for cohorts in cohorts_of.values()) == 2
    assert any(
        {"next_research_2025", "npo_mentoring_2025"} <= cohorts for cohorts in cohorts_of.values()
    )
    alumni = [
        cohorts
        for cohorts in cohorts_of.values()
        if cohorts & {"next_research_2025", "npo_mentoring_2025"}
        and any(code.startswith("mamabono_") for code in cohorts)
    ]
    assert len(alumni) >= 3
    # Some repeat joiners' addresses are written differently (case, stray spaces).
    written = {row["メールアドレス"] for row in rows}
    assert any(address != address.strip().lower() for address in written)


# -- determinism, seeds, the as-of cut-off ----------------------------------------------------


def file_digests(out: Path) -> dict[str, str]:
    return {
        path.relative_to(out).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out.rglob("*"))
        if path.is_file()
    }


def test_same_arguments_give_identical_bytes(
    generated: dict[int, Path], tmp_path: Path, catalog: Catalog
) -> None:
    again = tmp_path / "again"
    generate_demo_sources(again, seed=SEEDS[0], as_of=AS_OF, catalog=catalog)
    first, second = file_digests(generated[SEEDS[0]]), file_digests(again)
    assert first == second
    assert any(name.endswith(".xlsx") for name in first)


def test_regenerating_in_place_replaces_the_previous_run(tmp_path: Path, catalog: Catalog) -> None:
    generate_demo_sources(tmp_path, seed=1, as_of=AS_OF, catalog=catalog)
    generate_demo_sources(tmp_path, seed=1, as_of=date(2025, 6, 1), catalog=catalog)
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    on_disk = set(file_digests(tmp_path)) - {"manifest.json"}
    assert on_disk == set(manifest["files"])


def test_another_seed_changes_people_and_answers(generated: dict[int, Path]) -> None:
    first, second = (file_digests(generated[seed]) for seed in SEEDS)
    responses = [name for name in first if name.endswith(".jsonl")]
    assert all(first[name] != second[name] for name in responses if "responses" in name)
    forms = [name for name in first if name.startswith("google_forms/forms/")]
    assert all(first[name] == second[name] for name in forms)


def test_nothing_after_as_of(tmp_path: Path, catalog: Catalog) -> None:
    as_of = date(2026, 1, 20)
    manifest = generate_demo_sources(tmp_path, seed=3, as_of=as_of, catalog=catalog)
    forms = {path.stem for path in (tmp_path / "google_forms" / "forms").glob("*.json")}
    assert "demo-form-followup-2025" in forms
    assert "demo-form-npo-mentoring-2025-post" not in forms  # opens 2026-01-22
    for path in (tmp_path / "google_forms" / "responses").glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            stamp = line.split('"lastSubmittedTime":"', 1)[1][:10]
            assert stamp <= as_of.isoformat()
    assert (tmp_path / "inbox" / "panel" / "comparison_2025_macromill.csv").exists()  # closed 01-18
    operations = {path.name for path in (tmp_path / "inbox" / "operations").iterdir()}
    assert "運営管理_FY2026.xlsx" not in operations
    assert manifest["as_of"] == "2026-01-20"


def test_fy2026_is_running_on_the_default_day(generated: dict[int, Path]) -> None:
    out = generated[SEEDS[0]]
    forms = {path.stem for path in (out / "google_forms" / "forms").glob("*.json")}
    assert {"demo-form-mamabono-2026-pre", "demo-form-npo-mentoring-2026-pre"} <= forms
    assert not any("2026-post" in form or "followup-2026" in form for form in forms)
    assert sum(1 for _ in response_lines(out, "demo-form-mamabono-2026-pre")) > 0
    cohorts = {
        row["コホート"]
        for row in read_sheet(out / "inbox" / "operations" / "運営管理_FY2026.xlsx", "参加者名簿")
    }
    assert cohorts == {"mamabono_2026", "npo_mentoring_2026"}


def test_scale_multiplies_people_and_keeps_proportions(tmp_path: Path, catalog: Catalog) -> None:
    generate_demo_sources(tmp_path, seed=11, as_of=AS_OF, scale=2, catalog=catalog)
    followup_cohorts = (
        "mamabono_2023",
        "npo_mentoring_2023",
        "mamabono_2024",
        "npo_mentoring_2024",
    )
    assert len(roster_emails(tmp_path, followup_cohorts)) == 252
    result = fy2025(tmp_path, catalog)
    assert len(result.followup) == 64
    assert len(result.comparison) == 618
    assert_share(result.share(result.post_pooled, "career_confidence"), 62, 82)
    assert result.difference("challenged_at_work") == pytest.approx(35.3, abs=0.05)


# -- formats ------------------------------------------------------------------------------------


def test_panel_csv_is_cp932_and_matches_the_xlsx(
    generated: dict[int, Path], catalog: Catalog
) -> None:
    folder = generated[SEEDS[0]] / "inbox" / "panel"
    text = (folder / "comparison_2025_macromill.csv").read_bytes().decode("cp932")
    csv_rows = list(csv.reader(io.StringIO(text, newline="")))
    workbook = load_workbook(folder / "comparison_2025_macromill.xlsx", read_only=True)
    assert workbook.sheetnames == ["回答データ"]
    xlsx_rows = [
        ["" if value is None else str(value) for value in row]
        for row in workbook["回答データ"].iter_rows(values_only=True)
    ]
    workbook.close()
    assert csv_rows == xlsx_rows
    header, rows = csv_rows[0], csv_rows[1:]
    assert tuple(header[:5]) == PROFILE_COLUMNS
    assert len(rows) == 310 and len({row[0] for row in rows}) == 309  # one duplicated delivery row
    asked = {code for code, item in catalog.items.items() if "comparison" in item.asked_in}
    by_title = {
        folded_title(item.wording_for(2025) or ""): code for code, item in catalog.items.items()
    }
    assert {by_title[folded_title(title)] for title in header[5:]} == asked
    assert all(row[3] == "正社員" and row[2] in ("首都圏", "中京圏", "近畿圏") for row in rows)


def test_panel_headers_match_with_the_catalog_matcher(
    generated: dict[int, Path], catalog: Catalog
) -> None:
    path = generated[SEEDS[0]] / "inbox" / "panel" / "comparison_2025_macromill.csv"
    header = next(csv.reader(io.StringIO(path.read_bytes().decode("cp932"), newline="")))
    matcher = QuestionMatcher(catalog, 2025)
    unmatched = [title for title in header[5:] if matcher.match(title).item_code is None]
    assert unmatched == []


def test_forms_use_the_catalog_wording_of_their_year(
    generated: dict[int, Path], catalog: Catalog
) -> None:
    out = generated[SEEDS[0]]
    for path in sorted((out / "google_forms" / "forms").glob("*.json")):
        form = json.loads(path.read_text(encoding="utf-8"))
        wave = catalog.wave_by_source_ref(form["formId"])
        assert wave is not None
        matched = set(question_items(catalog, form, wave.fiscal_year).values())
        asked = {code for code, item in catalog.items.items() if wave.wave_type in item.asked_in}
        assert matched == asked, path.name
        titles = [item["title"] for item in form["items"]]
        has_comment = "本アンケートやプログラムへのご意見・ご感想をご自由にお書きください" in titles
        assert has_comment == (wave.wave_type == "post")
        confidence = next(
            item["questionItem"]["question"]
            for item in form["items"]
            if "questionItem" in item
            and item["title"] == catalog.items["career_confidence"].wording_for(wave.fiscal_year)
        )
        assert ("textQuestion" in confidence) == (wave.fiscal_year <= 2023)


def test_responses_look_like_the_forms_api(generated: dict[int, Path]) -> None:
    out = generated[SEEDS[0]]
    for path in (out / "google_forms" / "responses").glob("*.jsonl"):
        stamps = []
        for record in response_lines(out, path.stem):
            stamps.append(record["lastSubmittedTime"])
            assert (
                record["lastSubmittedTime"].endswith("Z") and len(record["lastSubmittedTime"]) == 24
            )
            if "responseId" in record:
                assert len(record["responseId"]) == 44
            for question_id, answer in record["answers"].items():
                assert len(question_id) == 8 and answer["questionId"] == question_id
        assert stamps == sorted(stamps)


def test_manifest_lists_the_dirt(generated: dict[int, Path]) -> None:
    out = generated[SEEDS[0]]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["seed"], manifest["as_of"], manifest["scale"]) == (SEEDS[0], "2026-11-23", 1)
    kinds = Counter((record["kind"], record["wave_code"]) for record in manifest["dirt"])
    for expected in (
        ("resubmission", "mamabono_2025_post"),
        ("resubmission", "followup_2025"),
        ("unknown_respondent", "mamabono_2025_post"),
        ("unknown_respondent", "followup_2025"),
        ("fullwidth_digits", "mamabono_2022_post"),
        ("fullwidth_digits", "followup_2025"),
        ("out_of_range", "mamabono_2023_pre"),
        ("out_of_range", "npo_mentoring_2023_post"),
        ("out_of_range", "followup_2025"),
        ("unparseable_value", "followup_2025"),
        ("truncated_line", "npo_mentoring_2024_post"),
        ("missing_response_id", "mamabono_2024_post"),
        ("duplicate_line", "mamabono_2024_pre"),
        ("unknown_form", "followup_2024"),
        ("contact_in_free_text", "followup_2025"),
        ("wording_change", "mamabono_2024_pre"),
        ("duplicate_row", "comparison_2025"),
        ("out_of_range", "comparison_2025"),
        ("blank_answer", "comparison_2025"),
        ("blank_answer", "mamabono_2025_post"),
        ("unmatched_question", "mamabono_2025_post"),
    ):
        assert kinds[expected] >= 1, expected
    assert any(
        record["kind"] == "email_variant" and record["wave_code"] is None
        for record in manifest["dirt"]
    )
    for relative, counts in manifest["files"].items():
        if relative.endswith(".jsonl"):
            assert counts["lines"] == len((out / relative).read_text(encoding="utf-8").splitlines())


def test_truth_file_lists_every_contact_written(generated: dict[int, Path]) -> None:
    out = generated[SEEDS[0]]
    truth = {
        (record["kind"], record["value"])
        for record in map(
            json.loads, (out / "_truth" / "contacts.jsonl").read_text(encoding="utf-8").splitlines()
        )
    }
    emails = {value for kind, value in truth if kind == "email"}
    for path in (out / "google_forms" / "responses").glob("*.jsonl"):
        for record in response_lines(out, path.stem):
            assert record["respondentEmail"] in emails
    for row in operations_rows(out, "参加者名簿"):
        assert row["メールアドレス"] in emails
        assert ("name", row["氏名"]) in truth and ("phone", row["電話番号"]) in truth
    assert {("email", "hanako.example@example.com"), ("phone", "090-1234-5678")} <= truth
    domains = {email.strip().lower().rsplit("@", 1)[1] for email in emails}
    assert domains <= {"example.com", "example.jp", "example.ne.jp", "example.org"}
