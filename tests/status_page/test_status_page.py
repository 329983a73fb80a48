"""The response status page on the demo warehouse: its figures against the warehouse (an
independent count from int_responses__latest and int_wave_targets), the mart it reads
against fct_response_rates, the "no open wave" page, the layout in headless Chromium, no
personal data, and the wiring into the build job, the CLI and the low-rate alert.

The demo is landed as of 2026-11-23 (tests/conftest.py); the page is drawn as of earlier
days inside the demo's windows: 2026-10-20 (npo_mentoring_2026_pre, day 7 of 18, last year's
npo_mentoring_2025_pre beside it) and 2026-01-25 (followup_2025 with four cohorts, and
npo_mentoring_2025_post).
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from html import unescape
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import duckdb
import pytest
import yaml
from playwright.sync_api import sync_playwright

from browser_support import CHROMIUM, CHROMIUM_ARGS
from impact_warehouse.cli import main as impact_main
from impact_warehouse.notify.messages import Alert, render
from impact_warehouse.personal_data import find_personal_data
from impact_warehouse.personal_data.scan import scan_for_personal_data, vault_contacts
from impact_warehouse.pipeline import release as release_job
from impact_warehouse.pipeline.status_refresh import read_status_page
from impact_warehouse.report.fonts import EMBEDDED_FAMILY
from impact_warehouse.settings import PROJECT_ROOT, Settings, paths
from impact_warehouse.status_page import StatusPageError, render_status_page, status_page_path
from layout_checks import CHART_TEXT_BOXES_JS, OVERFLOW_JS, overlapping_labels

ONE_OPEN_WAVE = date(2026, 10, 20)
SEVERAL_OPEN_WAVES = date(2026, 1, 25)
NOTHING_OPEN = date(2026, 11, 23)
ROW = re.compile(
    r'<tr data-breakdown="([^"]+)" data-responded="(\d+)" data-targeted="(\d+)">(.*?)</tr>', re.S
)


@pytest.fixture(scope="module")
def demo(demo_warehouse_for_seed):
    return demo_warehouse_for_seed(2025)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.for_work_dir(tmp_path / "work", tmp_path / "inbox")


def _expected_counts(database: Path, wave_code: str, as_of: date) -> dict[str, tuple[int, int]]:
    """responded/targeted per cohort and 'all', counted here from the intermediate models:
    linked responses holding a valid answer, first answered by as_of (local day)."""
    with duckdb.connect(str(database), read_only=True) as connection:
        zone = ZoneInfo(
            connection.execute("select time_zone from catalog.organisation").fetchone()[0]
        )
        responses = connection.execute(
            """select cohort_code, respondent_key, first_submitted_at
               from intermediate.int_responses__latest
               where wave_code = ? and is_linked and is_response""",
            [wave_code],
        ).fetchall()
        targets = connection.execute(
            "select cohort_code, participant_key from intermediate.int_wave_targets"
            " where wave_code = ?",
            [wave_code],
        ).fetchall()
    answered = [
        (cohort, key)
        for cohort, key, first in responses
        if first.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date() <= as_of
    ]
    expected = {"all": (len({k for _, k in answered}), len({k for _, k in targets}))}
    for cohort in {c for c, _ in targets}:
        expected[cohort] = (
            len({k for c, k in answered if c == cohort}),
            len({k for c, k in targets if c == cohort}),
        )
    return expected


def _page_rows(html: str, wave_code: str) -> dict[str, tuple[int, int, str]]:
    section = re.search(rf'<section id="wave-{wave_code}".*?</section>', html, flags=re.S).group(0)
    return {
        code: (int(responded), int(targeted), unescape(cells))
        for code, responded, targeted, cells in ROW.findall(section)
    }


def test_the_last_day_of_every_wave_equals_fct_response_rates(demo) -> None:
    with duckdb.connect(str(demo.database), read_only=True) as connection:
        rows = connection.execute(
            """
            select r.wave_code, r.breakdown_level, r.breakdown_code,
                   r.responded, r.targeted, r.response_rate,
                   p.responded, p.targeted, p.response_rate
            from marts.fct_response_rates r
            join marts.dim_waves w using (wave_code)
            left join marts.fct_response_progress p
              on p.wave_code = r.wave_code and p.breakdown_level = r.breakdown_level
              and p.breakdown_code = r.breakdown_code and p.is_last_day
            where r.breakdown_level in ('cohort', 'all') and w.wave_type <> 'comparison'
              and w.close_date < date '2026-11-23'
            """
        ).fetchall()
        waves_without_last_day = connection.execute(
            """select wave_code from marts.fct_response_progress group by wave_code
               having count(*) filter (where is_last_day) = 0"""
        ).fetchall()
    assert len(rows) > 20
    for wave, level, code, responded, targeted, rate, p_responded, p_targeted, p_rate in rows:
        assert (p_responded, p_targeted) == (responded, targeted), (wave, level, code)
        assert p_rate == pytest.approx(rate), (wave, level, code)
    assert not waves_without_last_day


def test_the_page_shows_the_open_wave_figures_of_the_warehouse(demo, settings) -> None:
    page = render_status_page(settings, audit_db=demo.database, as_of=ONE_OPEN_WAVE)
    assert page == settings.staff_pages / "response_status" / "index.html"
    html = page.read_text(encoding="utf-8")
    # Its font subset is kept for the next pull's page (report/fonts.py).
    (kept,) = settings.font_cache.glob("*.css")
    assert kept.read_text(encoding="ascii") in html
    assert 'data-open-waves="1"' in html
    rows = _page_rows(html, "npo_mentoring_2026_pre")
    expected = _expected_counts(demo.database, "npo_mentoring_2026_pre", ONE_OPEN_WAVE)
    assert {code: row[:2] for code, row in rows.items()} == expected
    responded, targeted = expected["all"]
    assert 0 < responded < targeted  # day 7: some have answered, not everyone
    assert f"{responded / targeted * 100:.1f}%" in rows["all"][2]
    section = re.search(r'<section id="wave-npo_mentoring_2026_pre".*?</section>', html, re.S)
    text = unescape(section.group(0))
    # Closes 2026-10-30: ten days left; the wave's target and floor (waves.csv: 80%, 50%).
    assert 'data-days-left="10"' in text and "あと10日" in text and "2026年10月30日" in text
    assert "目標</dt><dd>80%" in text and "最低ライン</dt><dd>50%" in text
    # Last year's same wave, aligned on day 7, and the reminder command for this wave.
    assert "2025年度NPOメンタリング参加者" in text
    assert "impact reminders --wave npo_mentoring_2026_pre" in text
    assert text.count('<figure class="chart"') == 1  # one cohort: the whole wave's chart only


def test_only_waves_open_on_the_day_are_shown_with_a_chart_per_cohort(demo, settings) -> None:
    html = render_status_page(settings, audit_db=demo.database, as_of=SEVERAL_OPEN_WAVES).read_text(
        encoding="utf-8"
    )
    shown = re.findall(r'<section id="wave-([^"]+)" class="report-section open-wave"', html)
    assert sorted(shown) == ["followup_2025", "npo_mentoring_2025_post"]
    rows = _page_rows(html, "followup_2025")
    assert {code: row[:2] for code, row in rows.items()} == _expected_counts(
        demo.database, "followup_2025", SEVERAL_OPEN_WAVES
    )
    assert len(rows) == 5  # the whole wave and its four cohorts
    followup = re.search(r'<section id="wave-followup_2025".*?</section>', html, re.S).group(0)
    assert followup.count('<figure class="chart"') == 5


def test_no_open_wave_gives_a_page_that_says_so(demo, settings) -> None:
    html = render_status_page(settings, audit_db=demo.database, as_of=NOTHING_OPEN).read_text(
        encoding="utf-8"
    )
    assert 'data-open-waves="0"' in html
    assert "回答期間中のアンケートはありません" in html
    # The next wave (mamabono_2026_post opens 2026-12-11) is announced.
    assert "2026年12月11日" in html
    assert "<figure" not in html


def test_an_open_wave_the_build_has_not_reached_is_listed_not_dropped(
    demo, settings, tmp_path
) -> None:
    # A warehouse built before followup_2025 opened has no day of it; the page drawn as of a
    # day inside its window lists it as waiting for the next pull instead of leaving it out.
    audit = Path(shutil.copy(demo.database, tmp_path / "audit.duckdb"))
    with duckdb.connect(str(audit)) as connection:
        connection.execute(
            "delete from marts.fct_response_progress where wave_code = 'followup_2025'"
        )
    html = render_status_page(settings, audit_db=audit, as_of=SEVERAL_OPEN_WAVES).read_text(
        encoding="utf-8"
    )
    assert 'data-open-waves="1" data-pending-waves="1"' in html
    assert '<li data-wave="followup_2025">' in html
    assert "回答期間中のアンケートはありません" not in html


@pytest.mark.slow
def test_the_page_lays_out_offline_in_chromium(demo, settings, tmp_path) -> None:
    page_path = render_status_page(settings, audit_db=demo.database, as_of=SEVERAL_OPEN_WAVES)
    requests: list[str] = []
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1000, "height": 900},
        )
        try:
            context.on("request", lambda request: requests.append(request.url))
            page = context.new_page()
            page.goto(page_path.as_uri(), wait_until="load")
            page.evaluate("document.fonts.ready.then(() => true)")
            charts = page.locator("figure.chart svg.chart-svg")
            assert charts.count() >= 6
            for index in range(charts.count()):
                box = charts.nth(index).bounding_box()
                assert box and box["width"] > 400 and box["height"] > 120, box
            font_loaded = page.evaluate(
                "family => document.fonts.check(`16px '${family}'`, 'あ')", EMBEDDED_FAMILY
            )
            overflow = page.evaluate(OVERFLOW_JS)
            boxes = page.evaluate(CHART_TEXT_BOXES_JS)
            page.screenshot(path=str(tmp_path / "status.png"), full_page=True)
        finally:
            context.close()
    assert font_loaded
    assert not overflow["wide"] and not overflow["scrolled"], overflow
    assert overflow["page"] <= overflow["limit"]
    assert all(chart["boxes"] for chart in boxes)
    assert not overlapping_labels(boxes)
    assert not [url for url in requests if not url.startswith(("file:", "data:", "about:"))]


def test_the_page_holds_no_personal_data(demo, settings) -> None:
    contacts = vault_contacts(demo.landing.parent / "vault")
    assert contacts.get("email") and contacts.get("name")  # the scan has something to find
    for day in (ONE_OPEN_WAVE, SEVERAL_OPEN_WAVES):
        page = render_status_page(settings, audit_db=demo.database, as_of=day)
        assert scan_for_personal_data(page, contacts=contacts).count == 0
        text = re.sub(r"<[^>]+>", " ", unescape(page.read_text(encoding="utf-8")))
        text = re.sub(r"@font-face[^}]*}", " ", text)
        assert not find_personal_data(text, names=sorted(contacts["name"]))
        # Nor pseudonyms: the page counts people, it never lists them.
        assert not re.search(r"_[0-9a-f]{32}", text)


def test_the_build_job_writes_the_page_after_dbt(demo, settings, tmp_path, monkeypatch) -> None:
    audit = Path(shutil.copy(demo.database, tmp_path / "audit.duckdb"))
    fake_run = SimpleNamespace(
        duckdb_path=audit,
        target_path=tmp_path / "target",
        node_statuses={},
        elapsed_seconds=1.0,
    )
    monkeypatch.setattr(release_job, "run_dbt", lambda *args, **kwargs: fake_run)
    # dbt source freshness is the delivery work's; here only the page's wiring is under test.
    monkeypatch.setattr(
        release_job,
        "measure_source_freshness",
        lambda **kwargs: SimpleNamespace(status="pass"),
    )
    built = release_job.build_audit_warehouse(settings)
    assert built.status_page == str(status_page_path(settings))
    assert Path(built.status_page).is_file()
    # A page that cannot be drawn never stops the build.
    audit.unlink()
    assert release_job.build_audit_warehouse(settings).status_page is None


def test_the_figures_read_after_the_build_are_drawn_later_and_once(demo, settings, tmp_path):
    """``impact publish`` reads the figures when the build is done and draws the page while
    the gate runs (pipeline/status_refresh.py): the drawing needs the audit file no more."""
    audit = Path(shutil.copy(demo.database, tmp_path / "audit.duckdb"))
    pending = read_status_page(settings, audit)
    audit.unlink()
    page = pending.draw()
    assert page == str(status_page_path(settings)) and Path(page).is_file()
    Path(page).unlink()
    assert pending.draw() == page and not Path(page).exists()


def test_impact_status_page_writes_the_page_or_says_what_to_do(
    demo, tmp_path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("IMPACT_WORK_DIR", str(tmp_path / "work"))
    code = impact_main(
        ["status-page", "--as-of", ONE_OPEN_WAVE.isoformat(), "--audit-db", str(demo.database)]
    )
    written = tmp_path / "work" / "staff" / "response_status" / "index.html"
    assert code == 0 and written.is_file()
    assert str(written) in capsys.readouterr().out
    assert impact_main(["status-page", "--audit-db", str(tmp_path / "missing.duckdb")]) == 1
    assert "impact build" in capsys.readouterr().out
    with pytest.raises(StatusPageError):
        render_status_page(Settings.for_work_dir(tmp_path, tmp_path), audit_db=tmp_path / "x")


def test_the_low_rate_warning_gives_deadline_reminder_command_and_page(monkeypatch, tmp_path):
    monkeypatch.setenv("IMPACT_WORK_DIR", str(tmp_path / "work"))
    alert = Alert(
        kind="gate_warning",
        program_code="mamabono",
        cohort_code="mamabono_2025",
        wave_code="mamabono_2025_post",
        check_name="response_rate",
        observed=0.42,
        threshold=0.70,
        fiscal_year=2025,
        details={
            "responded": 21,
            "targeted": 50,
            "close_date": "2026-01-15",
            "days_left": 3,
            "rule": "below_target_while_open",
        },
    )
    body = render(alert, settings=paths()).body
    assert "回答 21人 / 対象 50人" in body
    assert "締切: 2026-01-15(あと3日)" in body
    assert "impact reminders --wave mamabono_2025_post --cohort mamabono_2025" in body
    assert str(tmp_path / "work" / "staff" / "response_status" / "index.html") in body
    assert "リマインドメールを送ってください" in body


def test_the_status_page_exposure_lists_every_table_the_page_reads() -> None:
    # As tests/transform/test_exposures.py does for the report and the analyst queries.
    code = (PROJECT_ROOT / "include" / "impact_warehouse" / "status_page").rglob("*.py")
    pattern = re.compile(r"\b(?:from|join)\s+(?:catalog|marts|reporting)\.([a-z][a-z0-9_]*)\b")
    read = {name for path in code for name in pattern.findall(path.read_text(encoding="utf-8"))}
    exposures = yaml.safe_load(
        (PROJECT_ROOT / "dbt_project" / "models" / "_exposures.yml").read_text(encoding="utf-8")
    )["exposures"]
    (exposure,) = [entry for entry in exposures if entry["name"] == "response_status_page"]
    listed = {
        re.fullmatch(r"ref\('([a-z0-9_]+)'\)", ref).group(1) for ref in exposure["depends_on"]
    }
    assert read == listed


def test_a_dollar_sign_in_a_catalog_label_is_text_not_math() -> None:
    """Catalog labels reach matplotlib: "$\\undefinedmacro$" must not stop the page."""
    from datetime import date

    from impact_warehouse.status_page.charts import progress_chart
    from impact_warehouse.status_page.data import Breakdown, Point, WaveStatus

    curve = [Point(0, 0.1, 1), Point(1, 0.2, 2)]
    label = "コホート $\\undefinedmacro$ 費用 $5〜$10"
    cohort = Breakdown("cohort", "c1", label, 2, 10, 0.2, curve)
    wave = WaveStatus(
        wave_code="w",
        label_ja="調査 $x$",
        program_label_ja="p",
        fiscal_year=2026,
        open_date=date(2026, 12, 1),
        close_date=date(2026, 12, 20),
        data_date=date(2026, 12, 2),
        days_left=18,
        target=0.7,
        floor=0.5,
        breakdowns=[Breakdown("all", "all", "全体", 2, 10, 0.2, curve), cohort],
    )
    assert "<svg" in progress_chart(wave, cohort)
