"""Configuration checks that run before any data moves, and a Japanese sentence for each failure.

A missing Forms credential, a missing or unusable pseudonymisation key and an invalid catalog
cannot be fixed by retrying. The DAG tasks fail at once on them (``AirflowFailException``, see
:mod:`impact_warehouse.orchestration.airflow_support`) and the ``impact`` commands check them
before they start a run. Every check raises :class:`ConfigurationError`: a plain-Japanese
sentence for staff
(what is wrong, what to do) and the technical detail in English for whoever fixes it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from impact_warehouse.catalog import Catalog, CatalogError, load_catalog
from impact_warehouse.landing.privacy import (
    PSEUDONYM_KEY_ENV,
    MissingPseudonymKey,
    Pseudonymiser,
    load_pseudonym_key,
)
from impact_warehouse.settings import Settings
from impact_warehouse.sources.google_forms import FormsApiConfig, FormsApiError

CATALOG_CHECK = "python -m impact_warehouse.catalog"
# HTTP answers a retry cannot change (the request or the credential is wrong). 408 and 429
# are about timing, so they stay retryable.
PERMANENT_HTTP_STATUSES = frozenset({400, 401, 403, 404, 405, 410, 422})


class ExplainedError(Exception):
    """A failure no retry can fix, with the Japanese sentence for staff and the English detail."""

    def __init__(self, message_ja: str, detail: str, *, topic: str) -> None:
        super().__init__(f"{topic}: {detail}")
        self.message_ja = message_ja
        self.detail = detail
        self.topic = topic


class ConfigurationError(ExplainedError):
    """Set-up is wrong (credential, key, catalog): stop now, say what to fix."""


def _described(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def catalog_problem(error: CatalogError) -> ConfigurationError:
    where = ""
    if error.file_name and error.line:
        where = f"{error.file_name} の {error.line} 行目"
    elif error.file_name:
        where = error.file_name
    return ConfigurationError(
        f"カタログ(dbt_project/seeds/*.csv)に誤りがあります{f'({where})' if where else ''}。"
        f"下の英語の説明に従ってファイルを直し、`{CATALOG_CHECK}` で確認してから"
        "もう一度実行してください。",
        _described(error),
        topic="catalog",
    )


def check_catalog(seed_dir: Path | None = None) -> Catalog:
    """The catalog, or a ConfigurationError naming the file, line and fix."""
    try:
        return load_catalog(seed_dir)
    except CatalogError as error:
        raise catalog_problem(error) from error


def check_process_settings(*, renders_reports: bool = False) -> None:
    """The settings of the build's threads and worker processes and of the waits for locks,
    read now: a misspelt value would otherwise stop a build half-way, or only at a scale that
    uses it (the bootstrap's workers start above 2,000,000 people × resamples).
    ``renders_reports``: the run renders reports, so the report's chart worker settings are
    read too (importing the report costs about a second, spared to builds and pulls)."""
    from impact_warehouse.file_lock import timeout_from_env
    from impact_warehouse.landing.lock import lock_timeout_seconds as landing_lock_timeout
    from impact_warehouse.pipeline.gate_worker import worker_wanted as gate_worker_wanted
    from impact_warehouse.publish.lock import lock_timeout_seconds as publish_lock_timeout
    from impact_warehouse.transform import comparison_bootstrap, model_computations
    from impact_warehouse.transform.dbt_runner import dbt_threads

    try:
        dbt_threads()
        model_computations.model_worker_count()
        timeout_from_env(
            comparison_bootstrap.TIMEOUT_ENV, comparison_bootstrap.DEFAULT_TIMEOUT_SECONDS
        )
        landing_lock_timeout()
        publish_lock_timeout()
        gate_worker_wanted()
        if renders_reports:
            from impact_warehouse.report.chart_worker import worker_wanted

            worker_wanted()
    except ValueError as error:
        raise ConfigurationError(
            "処理の設定(環境変数)に誤りがあります。下の英語の説明にある変数を直すか、"
            "外してから(既定値が使われます)もう一度実行してください"
            "(README「Configuration reference」)。",
            _described(error),
            topic="process_settings",
        ) from error


def key_setting_names() -> tuple[str, str]:
    """Where the key is set, as the operator writes it: the Airflow Variable and the
    environment variable, each with the organisation's code inside its scope (the
    installation's own are not read there)."""
    from impact_warehouse.organisations import current_organisation_code, scoped_airflow_id

    code = current_organisation_code()
    environment = f"{PSEUDONYM_KEY_ENV}__{code.upper()}" if code else PSEUDONYM_KEY_ENV
    return scoped_airflow_id("impact_pseudonym_key"), environment


def check_pseudonym_key(settings: Settings, airflow_key: bytes | None) -> bytes:
    """The key the landing tasks will use (Airflow variable, env, or key file), usable.

    Any ``ValueError`` from loading or using the key is a key problem (empty, too short,
    unreadable); the landing code decides the rules, this only turns them into a stop.
    """
    try:
        key = airflow_key or load_pseudonym_key(settings.secrets / "pseudonym.key")
        Pseudonymiser(key)
    except MissingPseudonymKey as error:
        variable, environment = key_setting_names()
        raise ConfigurationError(
            "仮名化キー(pseudonym key)が設定されていません。個人情報を仮名に置き換えられないため、"
            f"何も取り込みませんでした。Airflow の変数 {variable} か環境変数 "
            f"{environment}、またはキーファイルを設定してください"
            "(README「Configuration reference」)。",
            _described(error),
            topic="pseudonym_key",
        ) from error
    except (ValueError, OSError) as error:
        raise ConfigurationError(
            "仮名化キー(pseudonym key)が使えません(空・短すぎる・読めないなど)。"
            "何も取り込みませんでした。十分に長いランダムなキーを設定してください"
            "(README「Configuration reference」)。",
            _described(error),
            topic="pseudonym_key",
        ) from error
    return key


def check_forms_api(load_config: Callable[[], FormsApiConfig]) -> FormsApiConfig:
    """The Forms API settings, or a ConfigurationError saying how to configure them."""
    try:
        return load_config()
    except (FormsApiError, ValueError, OSError) as error:
        raise ConfigurationError(
            "アンケート(Google Forms API)への接続設定がありません、または正しくありません。"
            "Airflow の接続 impact_forms_api(AIRFLOW_CONN_IMPACT_FORMS_API)か、"
            "IMPACT_FORMS_API_URL と IMPACT_FORMS_API_TOKEN(または IMPACT_FORMS_API_KEY_FILE)"
            "を設定してください(README「Configuration reference」)。",
            _described(error),
            topic="forms_api",
        ) from error


def is_permanent(error: BaseException) -> bool:
    """True when retrying the task cannot help: set-up errors and refused API requests."""
    if isinstance(error, (ExplainedError, CatalogError, MissingPseudonymKey)):
        return True
    return isinstance(error, FormsApiError) and error.status_code in PERMANENT_HTTP_STATUSES


def explain(error: BaseException) -> tuple[str, str]:
    """(Japanese sentence for staff, English technical detail) for any task failure."""
    if isinstance(error, ExplainedError):
        return error.message_ja, error.detail
    if isinstance(error, CatalogError):
        problem = catalog_problem(error)
        return problem.message_ja, problem.detail
    if isinstance(error, FormsApiError):
        status = error.status_code
        if status in (401, 403):
            message = (
                "アンケート(Google Forms API)が認証または権限のエラーを返しました。"
                "接続 impact_forms_api の認証情報と、フォームの共有設定を確認してください。"
            )
        elif status == 404:
            message = (
                "アンケートのフォームが見つかりません。waves.csv の source_ref(フォームID)が"
                "正しいか、フォームが削除されていないか確認してください。"
            )
        elif status in PERMANENT_HTTP_STATUSES:
            message = "アンケート(Google Forms API)が要求を受け付けませんでした。"
        else:
            message = (
                "アンケート(Google Forms API)に接続できませんでした(一時的な障害の可能性)。"
                "時間をおいてもう一度実行すると、続きから取り込みます。"
            )
        return message, _described(error)
    return (
        "予期しないエラーで処理が止まりました。下の詳細とログを担当者に伝えてください。",
        _described(error),
    )
