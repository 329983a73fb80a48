"""Commands that run the pipeline in this process: build, publish, backfill.

They call the same functions as the DAG tasks (``pipeline.release``, ``ingest``), with progress
lines, and need no running Airflow. DuckDB has one writer: if a DAG run is building at the
same moment, the command stops with a message saying so.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from impact_warehouse.cli.airflow_runs import print_publication
from impact_warehouse.cli.progress import fail, fail_with_causes, step
from impact_warehouse.settings import paths

if TYPE_CHECKING:  # imported when a command runs: the ingest job pulls in the sources
    from impact_warehouse.pipeline.ingest import IngestParams

LOCKED_HINT = (
    "ウェアハウスのファイルを別の処理(Airflow の impact_warehouse など)が使用中です。"
    "終わってからもう一度実行してください。"
)


def _is_lock_error(error: BaseException) -> bool:
    text = str(error).lower()
    return "could not set lock" in text or "conflicting lock" in text


def command_run_id(command: str) -> str:
    """The run id of one command: to the microsecond, with a random tail. Its run summary is
    named by it, and two commands started in the same second wrote one over the other."""
    from impact_warehouse.landing.store import new_batch_id

    return f"cli-{command}-{new_batch_id()}"


def setup_problem(*, renders_reports: bool = False) -> int | None:
    """Exit code 1 with the error (Japanese first) when a seed file or a process setting is
    invalid: checked before dbt or the gate start, which would fail later with less clear
    messages (or, for a setting only some builds read, only at that scale)."""
    from impact_warehouse.ops.preflight import (
        ConfigurationError,
        check_catalog,
        check_process_settings,
    )

    try:
        check_catalog()
        check_process_settings(renders_reports=renders_reports)
    except ConfigurationError as error:
        return fail(error.message_ja, error.detail)
    return None


def run_build() -> int:
    """Build the warehouse from the landing zone (dbt seed + run + test)."""
    from impact_warehouse.transform.dbt_runner import DbtRunError, run_dbt

    if (problem := setup_problem()) is not None:
        return problem
    done = step("building the warehouse (dbt build: models, data tests, unit tests)")
    try:
        run = run_dbt(["build"], paths())
    except DbtRunError as error:
        hint = LOCKED_HINT if _is_lock_error(error) else "dbt build が失敗しました。"
        return fail(hint, str(error)[-3000:])
    done()
    print(f"    {len(run.node_statuses)} nodes passed; warehouse: {run.duckdb_path}")
    print(f'    try: duckdb -readonly {run.duckdb_path} "from reporting.rpt_summary"')
    return 0


def _summarise_publish(result: dict[str, Any]) -> int:
    print(
        f"    gate: {'passed' if result['gate_passed'] else 'FAILED'} "
        f"({result['failures']} failures, {result['warnings']} warnings); "
        f"alerts: {result['alerts']}"
    )
    if not result["gate_passed"]:
        return fail(
            "データ確認(品質ゲート)でエラーがあったため公開しませんでした。"
            "前回公開の集計がそのまま使われます。`impact status` とお知らせを確認してください。",
            f"data docs: {result.get('data_docs')}",
        )
    return print_publication(paths())


def run_publish(
    fiscal_year: int | None, as_of: date | None, *, without_approval: bool = False
) -> int:
    """Build → gate → publish (only if the gate passes) → staff alerts.

    An organisation that approves its releases in Airflow (``release_approval``) is not
    published from here unless the engineer says so with ``--without-approval``.
    """
    from impact_warehouse.catalog import load_catalog, load_organisation
    from impact_warehouse.pipeline.release import (
        FiscalYearNotInCatalogError,
        default_release_fiscal_year,
        require_catalog_fiscal_year,
    )
    from impact_warehouse.pipeline.release_in_process import build_gate_publish
    from impact_warehouse.publish.lock import PublishBusyError
    from impact_warehouse.transform.dbt_runner import DbtRunError

    if (problem := setup_problem(renders_reports=True)) is not None:
        return problem
    settings = paths()
    if not without_approval and load_organisation(settings.catalog).release_approval:
        return fail(
            "この団体は、公開の前に Airflow の画面で承認することになっています"
            "(organisation.csv の release_approval = yes)。Airflow で impact_warehouse を"
            "実行して承認してください。承認なしで公開するときだけ --without-approval を"
            "付けてください。",
            "release_approval is yes: publish through the impact_warehouse DAG",
        )
    if not any(settings.landing.glob("*/*")):
        return fail(
            f"取り込み済みのデータがありません({settings.landing})。"
            "先に `impact pull` か `impact backfill` を実行してください。",
            "landing zone is empty",
        )
    as_of = as_of or date.today()
    catalog = load_catalog(settings.catalog)
    try:
        fiscal_year = fiscal_year or default_release_fiscal_year(as_of, catalog)
    except ValueError as error:
        return fail("公開する年度が決められません。--fiscal-year を指定してください。", str(error))
    try:
        require_catalog_fiscal_year(fiscal_year, catalog)
    except FiscalYearNotInCatalogError as error:
        return fail(error.message_ja, str(error))
    run_id = command_run_id("publish")
    try:
        result = build_gate_publish(
            settings, fiscal_year=fiscal_year, as_of=as_of, run_id=run_id, progress=step
        )
    except DbtRunError as error:
        hint = LOCKED_HINT if _is_lock_error(error) else "dbt build が失敗しました。"
        return fail(hint, str(error)[-3000:])
    except PublishBusyError as error:
        return fail(error.staff_message, str(error))
    return _summarise_publish(result)


def run_backfill(from_fy: int, to_fy: int, as_of: date | None, publish: bool) -> int:
    """Land every survey wave of FY from_fy..to_fy, then build, gate and publish once."""
    from impact_warehouse.orchestration.airflow_support import forms_api_config, pseudonym_key
    from impact_warehouse.pipeline.backfill import backfill
    from impact_warehouse.sources.google_forms import FormsApiError

    if (problem := setup_problem(renders_reports=True)) is not None:
        return problem
    settings = paths()
    try:
        api_config = forms_api_config()
    except (FormsApiError, ValueError) as error:
        return fail(
            "アンケート(Google Forms API)への接続設定がありません。"
            "AIRFLOW_CONN_IMPACT_FORMS_API か IMPACT_FORMS_API_URL と IMPACT_FORMS_API_TOKEN "
            "を設定してください(README「Configuration」)。",
            str(error),
        )
    try:
        result = backfill(
            settings,
            from_fy=from_fy,
            to_fy=to_fy,
            api_config=api_config,
            as_of=as_of or date.today(),
            pseudonym_key=pseudonym_key(),
            publish=publish,
            progress=step,
        )
    except FormsApiError as error:
        return fail(
            "アンケートの取り込みに失敗しました。もう一度実行すると続きから取り込みます。",
            str(error),
        )
    except ValueError as error:
        return fail("バックフィルの指定が正しくありません。", str(error))
    for fiscal_year, run in result.ingest_runs.items():
        print(
            f"    FY{fiscal_year}: {len(run['planned_waves'])} waves, received {run['received']}, "
            f"landed {run['landed']}, already landed {run['already_landed']}, "
            f"quarantined {run['quarantined_total']}"
        )
    if result.landed == 0:
        print("    nothing new landed: the landing zone already held every record (idempotent)")
    if result.publish is None:
        return 0
    return _summarise_publish(result.publish)


def run_pull(
    *,
    scope: str,
    fiscal_year: int | None,
    program: str | None,
    wave: str | None,
    month: str | None = None,
    as_of: date | None = None,
) -> int:
    """Ingest now, in this process: the month up to now (or ``month``), narrowed as the
    trigger form narrows an ``impact_ingest`` run; ``wave`` pulls that wave whatever its window.

    The same job as the DAG's tasks (:func:`impact_warehouse.pipeline.ingest_in_process.pull`), with
    their source isolation: a source that fails does not stop the others; the command prints
    what landed, then the failed sources with their cause, and exits 1.
    """
    from impact_warehouse.cli.airflow_runs import (
        month_interval_end,
        pull_preflight,
    )
    from impact_warehouse.ops.preflight import ConfigurationError, check_pseudonym_key
    from impact_warehouse.orchestration.airflow_support import forms_api_config, pseudonym_key
    from impact_warehouse.pipeline.ingest import IngestParams
    from impact_warehouse.pipeline.ingest_in_process import pull

    settings = paths()
    try:
        interval_end = month_interval_end(month) if month else None
    except ValueError as error:
        return fail("--month は 2025-05 のように年-月で指定してください。", str(error))
    if (problem := pull_preflight(settings, wave, as_of)) is not None:
        return problem
    key = pseudonym_key()
    try:
        check_pseudonym_key(settings, key)
    except ConfigurationError as error:
        return fail(error.message_ja, error.detail)
    params = IngestParams(scope, fiscal_year, program, wave, as_of)
    done = step(f"pulling ({_pull_description(params, month)})")
    run_id = command_run_id("pull")
    summary = pull(
        settings,
        params,
        forms_api_config,
        run_id=run_id,
        pseudonym_key=key,
        interval_end=interval_end,
    )
    done()
    return _report_pull(summary)


def _pull_description(params: IngestParams, month: str | None) -> str:
    """What is pulled, as the progress line says it: the interval, then the narrowing."""
    narrowed = ", ".join(
        f"{name}={value}"
        for name, value in (
            ("scope", params.scope),
            ("fiscal_year", params.fiscal_year),
            ("program", params.program),
            ("wave", params.wave),
            ("as_of", params.as_of),
        )
        if value is not None
    )
    interval = f"month {month}" if month else "the month up to now"
    if params.wave is not None:
        interval = f"wave {params.wave}, whatever its window"
    return f"{interval}; {narrowed}"


def _report_pull(summary: dict[str, Any]) -> int:
    """Print the run summary; exit 1 naming each source that failed, with its cause."""
    from impact_warehouse.cli.airflow_runs import failure_label
    from impact_warehouse.landing.summary import format_run_summary

    if not summary["planned_waves"] and not summary["failed_sources"]:
        print(
            "    この期間に回答受付中のアンケートはありません (no survey window open: no responses)"
        )
    print(format_run_summary(summary))
    print(f"run summary: {summary['summary_path']}")
    failures = summary["failed_sources"]
    if failures:
        return fail_with_causes(
            f"{len(failures)}件のデータ元を取り込めませんでした(ほかは取り込み済みです)。",
            [(failure_label(item), item["message_ja"], item["detail"]) for item in failures],
            "Fix the cause and run `impact pull` again: what already landed is not landed twice.",
        )
    print("next: `impact publish` builds, checks and publishes the warehouse")
    return 0
