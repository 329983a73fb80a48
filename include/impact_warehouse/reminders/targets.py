"""Who a reminder goes to: the targeted participants of an open wave who have not answered.

Read from the audit warehouse, not recomputed from landing: ``int_wave_targets`` and
``int_responses__latest`` are the rules the response rates use (a participant of two targeted
cohorts is one person under the latest cohort; the latest submission wins; a submission whose
every catalog answer was quarantined is not a response), so the list has exactly
``targeted − responded`` people of the status page and the gate alert. The warehouse is rebuilt
after every pull (the landing Asset triggers ``impact_warehouse``, whose build runs before and
whatever the gate says); :func:`check_fresh` refuses a build that does not hold every response
and roster row landed so far, so a person who answered in the latest pull is never reminded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from impact_warehouse.catalog.model import Catalog, Wave
from impact_warehouse.landing.forms_definition import SOURCE as FORMS_SOURCE
from impact_warehouse.landing.roster_index import roster_dir
from impact_warehouse.landing.store import LandingIntegrityError, PartitionStore

# Values of the 状況 column: no submission at all, or a submission the response rate does not
# count because every catalog answer in it was quarantined (out of scale, unreadable, …).
NOT_ANSWERED = "未回答"
NO_VALID_ANSWER = "回答に有効な値なし"


class RemindersError(Exception):
    """A reminder list that cannot be made: a Japanese sentence for staff and the detail."""

    def __init__(self, message_ja: str, detail: str = "") -> None:
        super().__init__(f"{message_ja} {detail}".strip())
        self.message_ja = message_ja
        self.detail = detail


@dataclass(frozen=True)
class NonRespondent:
    """One person to remind, still pseudonymous: contacts are looked up in the vault later."""

    participant_pseudonym: str  # the email pseudonym (the roster's participant key)
    name_pseudonym: str | None
    cohort_code: str
    status: str  # NOT_ANSWERED or NO_VALID_ANSWER


def _remindable(wave: Wave) -> bool:
    # Panel deliveries come from the panel company, whose respondents are not on the roster;
    # and only a Forms wave's landed responses can be checked for freshness (check_fresh).
    return bool(wave.target_cohorts) and wave.source_system == FORMS_SOURCE


def choose_wave(catalog: Catalog, wave_code: str, cohort_code: str | None, as_of: date) -> Wave:
    """The catalog wave, if reminders make sense for it on ``as_of``; else RemindersError."""
    wave = catalog.waves.get(wave_code)
    if wave is None:
        open_now = sorted(
            code
            for code, candidate in catalog.waves.items()
            if candidate.open_date <= as_of <= candidate.close_date and _remindable(candidate)
        )
        listed = "、".join(open_now) if open_now else "なし"
        raise RemindersError(
            f"調査 {wave_code!r} はカタログ(waves.csv)にありません。"
            f"{as_of} に回答受付中の調査: {listed}",
            f"unknown wave_code {wave_code!r}",
        )
    if not _remindable(wave):
        raise RemindersError(
            f"調査 {wave_code} は名簿の参加者に Google フォームで回答を求める調査ではない"
            "(比較群パネルなど)ため、督促リストは作れません。",
            f"wave_type={wave.wave_type}, source_system={wave.source_system}, "
            f"target cohorts: {len(wave.target_cohorts)}",
        )
    if as_of < wave.open_date:
        raise RemindersError(
            f"調査 {wave_code} はまだ始まっていません(受付開始 {wave.open_date})。",
            f"as_of {as_of} is before open_date {wave.open_date}",
        )
    if as_of > wave.close_date:
        raise RemindersError(
            f"調査 {wave_code} は {wave.close_date} に締め切られています。"
            "締切後の督促はできません。受付期間を延ばした場合は、先に waves.csv の "
            "close_date を直してください。",
            f"as_of {as_of} is after close_date {wave.close_date}",
        )
    if cohort_code is not None and cohort_code not in wave.target_cohorts:
        raise RemindersError(
            f"コホート {cohort_code!r} は調査 {wave_code} の対象ではありません。"
            f"対象コホート: {'、'.join(wave.target_cohorts)}",
            f"cohort_code not in wave_targets.csv for {wave_code}",
        )
    return wave


def _landed_keys(directory: Path) -> set[str]:
    try:
        return {str(record["record_key"]) for record in PartitionStore(directory).read_all()}
    except (LandingIntegrityError, OSError, ValueError) as error:
        raise RemindersError(
            "取り込み済みデータ(landing)を読めませんでした。`impact verify` で確認してください。",
            str(error),
        ) from error


def check_fresh(connection: duckdb.DuckDBPyConnection, landing: Path, wave: Wave) -> None:
    """RemindersError unless the build holds every landed response of the wave and every
    landed roster row: comparing keys, not clocks, so a build that started before a pull
    finished is caught too."""
    missing: list[str] = []
    checks = (
        (
            "回答",
            landing / FORMS_SOURCE / "responses" / wave.source_ref,
            "select record_key from staging.stg_google_forms__responses where form_id = ?",
            [wave.source_ref],
        ),
        ("名簿", roster_dir(landing), "select record_key from staging.stg_operations__roster", []),
    )
    for label, directory, query, parameters in checks:
        landed = _landed_keys(directory)
        if not landed:
            continue
        built = {row[0] for row in connection.execute(query, parameters).fetchall()}
        if not_built := landed - built:
            missing.append(f"{label} {len(not_built)} 件")
    if missing:
        raise RemindersError(
            "最新の取り込み結果がまだウェアハウスに反映されていません"
            f"(未反映: {'、'.join(missing)})。回答済みの人に督促しないよう、"
            "`impact build` を実行してから、もう一度実行してください。",
            f"landing {landing} holds records the audit warehouse does not",
        )


NON_RESPONDENTS_SQL = """
with latest_roster as (
    select
        participant_pseudonym,
        cohort_code,
        name_pseudonym,
        row_number() over (
            partition by participant_pseudonym, cohort_code
            order by landed_at desc nulls last, record_key desc
        ) as recency
    from staging.stg_operations__roster
    where participant_pseudonym is not null
)
select
    targets.participant_key,
    roster.name_pseudonym,
    targets.cohort_code,
    responses.participant_key is not null as submitted
from intermediate.int_wave_targets as targets
left join intermediate.int_responses__latest as responses
    on responses.wave_code = targets.wave_code
    and responses.participant_key = targets.participant_key
left join latest_roster as roster
    on roster.participant_pseudonym = targets.participant_key
    and roster.cohort_code = targets.cohort_code
    and roster.recency = 1
where targets.wave_code = ?
    and (? is null or targets.cohort_code = ?)
    and not coalesce(responses.is_response, false)
order by targets.cohort_code, targets.participant_key
"""


def non_respondents(
    connection: duckdb.DuckDBPyConnection, wave_code: str, cohort_code: str | None
) -> list[NonRespondent]:
    """Targeted participants without a counted response. The name is the one on their latest
    landed roster row in the cohort they are counted under (duplicate rows: latest wins)."""
    rows = connection.execute(NON_RESPONDENTS_SQL, [wave_code, cohort_code, cohort_code])
    return [
        NonRespondent(
            participant_pseudonym=participant,
            name_pseudonym=name,
            cohort_code=cohort,
            status=NO_VALID_ANSWER if submitted else NOT_ANSWERED,
        )
        for participant, name, cohort, submitted in rows.fetchall()
    ]


def open_audit_warehouse(audit_db: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection, or RemindersError saying why there is none."""
    if not audit_db.is_file():
        raise RemindersError(
            "ウェアハウスがまだありません。"
            "`impact pull` のあと `impact build` を実行してください。",
            f"no audit warehouse at {audit_db}",
        )
    try:
        return duckdb.connect(str(audit_db), read_only=True)
    except duckdb.Error as error:
        text = str(error).lower()
        if "lock" in text:
            raise RemindersError(
                "ウェアハウスを別の処理(Airflow の impact_warehouse など)が更新中です。"
                "終わってからもう一度実行してください。",
                str(error),
            ) from error
        raise RemindersError("ウェアハウスを開けませんでした。", str(error)) from error


def read_non_respondents(
    audit_db: Path, landing: Path, wave: Wave, cohort_code: str | None
) -> list[NonRespondent]:
    connection = open_audit_warehouse(audit_db)
    try:
        try:
            check_fresh(connection, landing, wave)
            return non_respondents(connection, wave.wave_code, cohort_code)
        except duckdb.CatalogException as error:
            raise RemindersError(
                "ウェアハウスに必要な表がありません。`impact build` を実行してください。",
                str(error),
            ) from error
    finally:
        connection.close()
