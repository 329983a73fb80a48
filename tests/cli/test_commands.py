"""The ``impact`` commands run for real on a backfilled demo release."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from cli_support import AS_OF, TOKEN, Backfilled, impact_env

from impact_warehouse.cli import main
from impact_warehouse.demo.forms_api_server import FormsApiServer
from impact_warehouse.publish import current_release, list_releases
from impact_warehouse.settings import PROJECT_ROOT, paths


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.slow
def test_backfill_lands_every_fiscal_year_and_publishes_once(backfilled: Backfilled) -> None:
    for fiscal_year in range(2022, 2027):
        assert f"==> ingest FY{fiscal_year}:" in backfilled.output
    assert backfilled.output.count("==> building the audit warehouse") == 1
    assert "done in" in backfilled.output
    assert "gate: passed" in backfilled.output
    assert "report FY2026:" in backfilled.output and "report FY2025:" in backfilled.output
    with backfilled.env():
        release = current_release(paths().releases)
        assert release is not None and release.fiscal_year == 2026
        assert len(list_releases(paths().releases)) == 1
    with duckdb.connect(str(release.warehouse_path), read_only=True) as connection:
        years = connection.sql(
            "select distinct fiscal_year from marts.fct_responses order by 1"
        ).fetchall()
    assert [year for (year,) in years] == [2022, 2023, 2024, 2025, 2026]


@pytest.mark.slow
def test_backfill_again_lands_nothing(backfilled: Backfilled, capsys) -> None:
    with backfilled.env():
        landing = Path(backfilled.work / "landing")
        parts_before = sorted(
            p for p in landing.rglob("*") if p.is_file() and "_runs" not in p.parts
        )
        code, out, err = run(
            [
                "backfill",
                "--from-fy",
                "2022",
                "--to-fy",
                "2026",
                "--as-of",
                AS_OF.isoformat(),
                "--no-publish",
            ],
            capsys,
        )
        parts_after = sorted(
            p for p in landing.rglob("*") if p.is_file() and "_runs" not in p.parts
        )
    assert code == 0, err
    assert "nothing new landed" in out
    for fiscal_year in range(2022, 2027):
        assert f"FY{fiscal_year}:" in out and "landed 0," in out
    assert parts_after == parts_before  # no new part file, no moved watermark


@pytest.mark.slow
def test_releases_lists_and_marks_the_current_one(backfilled: Backfilled, capsys) -> None:
    with backfilled.env():
        code, out, _ = run(["releases"], capsys)
        current = current_release(paths().releases)
    assert code == 0
    assert f"* {current.release_id}" in out
    assert "2026" in out


@pytest.mark.slow
def test_status_says_in_japanese_how_the_gate_judged_the_current_release(
    backfilled: Backfilled,
) -> None:
    # Through the installed entry point, as staff run it.
    env = {**os.environ, "IMPACT_WORK_DIR": str(backfilled.work)}
    result = subprocess.run(
        [sys.executable, "-m", "impact_warehouse.cli", "status"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "現在公開中の集計: 2026年度" in out
    assert "データ確認(品質ゲート): 合格" in out
    assert "[合格] アンケートの回答率" in out  # every check listed with its Japanese label
    checks = [line for line in out.splitlines() if line.startswith("  [")]
    assert len(checks) >= 10
    assert all(not line.split("]", 1)[1].split("(")[0].strip().isascii() for line in checks)
    assert "年度リリース" in out  # the yearly release deadline line


def test_commands_say_what_to_do_when_nothing_is_published(tmp_path: Path, capsys) -> None:
    with impact_env(tmp_path / "empty-work"):
        for command in (["status"], ["releases"], ["report", "--fiscal-year", "2025"]):
            code, _, err = run(command, capsys)
            assert code == 1
            assert "まだ公開された集計(リリース)がありません" in err
            assert "impact publish" in err
        code, _, err = run(["publish"], capsys)
    assert code == 1
    assert "取り込み済みのデータがありません" in err and "impact pull" in err


@pytest.mark.slow
def test_report_names_an_unknown_release(backfilled: Backfilled, capsys) -> None:
    with backfilled.env():
        code, _, err = run(["report", "--fiscal-year", "2025", "--release", "FY1999-x"], capsys)
    assert code == 1
    assert "リリース FY1999-x が見つかりません" in err


@pytest.mark.slow
def test_report_renders_from_the_current_release(backfilled: Backfilled, capsys) -> None:
    pytest.importorskip("impact_warehouse.report", reason="the report package is not installed")
    with backfilled.env():
        code, out, err = run(["report", "--fiscal-year", "2025"], capsys)
    assert code == 0, err
    html = next(line.split(":", 1)[1].strip() for line in out.splitlines() if "HTML:" in line)
    assert Path(html).is_file()


@pytest.mark.slow
def test_report_pdf_without_chromium_says_how_to_install_it(
    backfilled: Backfilled, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("IMPACT_CHROMIUM", "/nonexistent/chromium")
    with backfilled.env():
        code, _, err = run(["report", "--fiscal-year", "2025", "--pdf"], capsys)
    assert code == 1
    assert "Chromium" in err and "apt-get install" in err and "make system-packages-test" in err
    assert "Traceback" not in err


def test_backfill_without_a_forms_connection_says_how_to_configure_it(
    tmp_path: Path, capsys
) -> None:
    with impact_env(tmp_path / "work"):
        saved = {
            n: os.environ.pop(n, None) for n in ("IMPACT_FORMS_API_URL", "IMPACT_FORMS_API_TOKEN")
        }
        try:
            code, _, err = run(["backfill", "--from-fy", "2022", "--to-fy", "2022"], capsys)
        finally:
            os.environ.update({n: v for n, v in saved.items() if v is not None})
    assert code == 1
    assert "接続設定がありません" in err and "IMPACT_FORMS_API_TOKEN" in err


def test_backfill_rejects_fiscal_years_the_catalog_does_not_have(
    cli_demo_sources: Path, cli_forms_server: FormsApiServer, tmp_path: Path, capsys
) -> None:
    with impact_env(tmp_path / "work", cli_demo_sources / "inbox", cli_forms_server.url):
        code, _, err = run(["backfill", "--from-fy", "2019", "--to-fy", "2022"], capsys)
    assert code == 1
    assert "2019" in err and "waves.csv" in err


@pytest.mark.slow
def test_pull_ingests_one_past_month_in_process(backfilled: Backfilled, tmp_path: Path) -> None:
    """``impact pull --month`` re-runs the ingest of a month in this process, no Airflow."""
    work = tmp_path / "work"
    env = {
        **os.environ,
        "IMPACT_WORK_DIR": str(work),
        "IMPACT_INBOX_DIR": str(backfilled.inbox),
        "AIRFLOW_CONN_IMPACT_FORMS_API": json.dumps(
            {"conn_type": "http", "host": backfilled.api_url, "password": TOKEN}
        ),
    }
    for variable in ("AIRFLOW_HOME", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"):
        env.pop(variable, None)  # the command sets up its own embedded Airflow
    command = [sys.executable, "-m", "impact_warehouse.cli", "pull", "--month"]
    january = subprocess.run(
        [*command, "2026-01"], env=env, capture_output=True, text=True, timeout=300
    )
    assert january.returncode == 0, january.stdout[-3000:] + january.stderr[-3000:]
    assert "==> pulling (month 2026-01" in january.stdout
    for wave in ("mamabono-2025-post", "followup-2025", "npo-mentoring-2025-post"):
        assert f"google_forms:demo-form-{wave} received=" in january.stdout
    # A month with no open survey window pulls no responses and says so.
    june = subprocess.run(
        [*command, "2025-06"], env=env, capture_output=True, text=True, timeout=300
    )
    assert june.returncode == 0, june.stdout[-3000:] + june.stderr[-3000:]
    assert "回答受付中のアンケートはありません" in june.stdout
    assert "google_forms:" not in june.stdout
    # The README's re-pull step: one named wave, long closed, without --all.
    wave = subprocess.run(
        [sys.executable, "-m", "impact_warehouse.cli", "pull", "--wave", "mamabono_2025_post"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert wave.returncode == 0, wave.stdout[-3000:] + wave.stderr[-3000:]
    assert "wave mamabono_2025_post, whatever its window" in wave.stdout
    pulled = [line for line in wave.stdout.splitlines() if "google_forms:" in line]
    assert len(pulled) == 1 and "demo-form-mamabono-2025-post received=" in pulled[0]
    assert " landed=0 " in pulled[0]  # January's run landed it already: nothing twice
    assert not (work / "airflow").exists()  # no Airflow was started or prepared


def test_pull_names_a_wave_it_cannot_pull_before_starting_airflow(tmp_path: Path, capsys) -> None:
    with impact_env(tmp_path / "work"):
        code, out, err = run(["pull", "--wave", "mamabono_2031_post"], capsys)
        assert code == 1
        assert err.startswith(
            "エラー: アンケート mamabono_2031_post はカタログ(waves.csv)にありません"
        )
        assert "mamabono_2025_post" in err  # the detail lists the waves it knows
        code, out, err = run(["pull", "--wave", "comparison_2025"], capsys)
        assert code == 1
        assert "比較群パネル" in err and "inbox/panel" in err
    assert "preparing embedded Airflow" not in out
    assert not (tmp_path / "work" / "airflow").exists()


@pytest.fixture(scope="module")
def broken_catalog_checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the catalog seeds (IMPACT_PROJECT_DIR) with ``70%`` typed into waves.csv."""
    checkout = tmp_path_factory.mktemp("broken-catalog-cli")
    seeds = checkout / "dbt_project" / "seeds"
    shutil.copytree(PROJECT_ROOT / "dbt_project" / "seeds", seeds)
    lines = (seeds / "waves.csv").read_text(encoding="utf-8").splitlines()
    header, cells = lines[0].split(","), lines[1].split(",")
    cells[header.index("response_rate_target")] = "70%"
    lines[1] = ",".join(cells)
    (seeds / "waves.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return checkout


@pytest.mark.parametrize(
    "command",
    [
        ["build"],
        ["publish"],
        ["pull", "--all"],
        ["backfill", "--from-fy", "2025", "--to-fy", "2025"],
    ],
)
def test_commands_check_the_catalog_first(
    broken_catalog_checkout: Path, tmp_path: Path, command: list[str]
) -> None:
    first, detail = _refused(
        command,
        IMPACT_PROJECT_DIR=str(broken_catalog_checkout),
        IMPACT_WORK_DIR=str(tmp_path / "work"),
    )
    assert first.startswith(
        "エラー: カタログ(dbt_project/seeds/*.csv)に誤りがあります(waves.csv の 2 行目)"
    )
    assert "python -m impact_warehouse.catalog" in first
    assert "waves.csv line 2: 'response_rate_target'='70%'" in detail
    assert not (tmp_path / "work" / "airflow").exists()  # nothing was started


@pytest.mark.parametrize(
    ("command", "setting", "value"),
    [
        (["build"], "IMPACT_MODEL_WORKERS", "abc"),
        (["build"], "IMPACT_MODEL_WORKER_TIMEOUT", "nan"),
        (["publish"], "IMPACT_BOOTSTRAP_WORKER_TIMEOUT", "-1"),
        (["pull", "--all"], "IMPACT_LANDING_LOCK_TIMEOUT", "soon"),
        (["backfill", "--from-fy", "2025", "--to-fy", "2025"], "IMPACT_PUBLISH_LOCK_TIMEOUT", "x"),
        (["build"], "IMPACT_DBT_THREADS", "abc"),
        (["build"], "IMPACT_DBT_THREADS", "0"),
        (["publish"], "IMPACT_REPORT_WORKER", "yes"),
        (["publish"], "IMPACT_REPORT_WORKER_TIMEOUT", "inf"),
        (["publish"], "IMPACT_GATE_WORKER", "yes"),
        (["backfill", "--from-fy", "2025", "--to-fy", "2025"], "IMPACT_GATE_WORKER_TIMEOUT", "x"),
    ],
)
def test_commands_check_the_process_settings_first(
    tmp_path: Path, command: list[str], setting: str, value: str
) -> None:
    """A misspelt setting is one line of error before anything starts, not a traceback from
    inside dbt, nor (the bootstrap's) a failure only at a scale that starts its workers."""
    first, detail = _refused(command, IMPACT_WORK_DIR=str(tmp_path / "work"), **{setting: value})
    assert first.startswith("エラー: 処理の設定(環境変数)に誤りがあります")
    assert f"{setting}={value!r}" in detail
    assert not (tmp_path / "work" / "warehouse").exists()  # nothing was built
    assert not (tmp_path / "work" / "airflow").exists()


def _refused(command: list[str], **settings: str) -> tuple[str, str]:
    """``impact <command>`` in a process of its own with these settings: it must exit 1
    without a traceback; its error line and the detail line under it."""
    result = subprocess.run(
        [sys.executable, "-m", "impact_warehouse.cli", *command],
        env={**os.environ, **settings},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    first, detail = result.stderr.splitlines()[:2]
    return first, detail


def test_a_reason_in_another_terminal_encoding_is_recorded_readable() -> None:
    """Bytes that are not UTF-8 arrive as lone surrogates (PEP 383), which the history, the
    switch journal and the alert cannot encode: they become U+FFFD at the command line."""
    from impact_warehouse.cli import build_parser

    shift_jis = "確認のため".encode("shift_jis").decode("utf-8", "surrogateescape")
    args = build_parser().parse_args(["releases", "--make-current", "R", "--reason", shift_jis])
    assert "\ufffd" in args.reason
    assert args.reason.encode("utf-8")  # no lone surrogate left
    assert build_parser().parse_args(["releases", "--reason", "確認のため"]).reason == "確認のため"


def test_a_reason_longer_than_a_few_sentences_is_refused(capsys) -> None:
    from impact_warehouse.cli import build_parser

    with pytest.raises(SystemExit) as refused:
        build_parser().parse_args(["releases", "--make-current", "R", "--reason", "あ" * 5_000])
    assert refused.value.code == 2
    assert "1000 文字まで" in capsys.readouterr().err


def test_commands_started_in_the_same_second_keep_their_own_run_summaries(tmp_path: Path) -> None:
    """The run summary is named by the run id: second-resolution ids wrote one over another."""
    from impact_warehouse.cli.pipeline import command_run_id
    from impact_warehouse.landing.summary import write_run_summary

    ids = {command_run_id("pull") for _ in range(50)}
    assert len(ids) == 50 and all(run_id.startswith("cli-pull-") for run_id in ids)
    written = {write_run_summary(tmp_path, run_id, {"landed": 1}) for run_id in ids}
    assert len(written) == 50
