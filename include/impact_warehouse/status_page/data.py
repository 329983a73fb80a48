"""What the response status page shows, read from the audit warehouse.

Every figure comes from dbt (``marts.fct_response_progress``, whose last day equals
``marts.fct_response_rates``); this module only selects the rows of a day and arranges them.
Counts and catalog labels only: no participant appears in any query.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from impact_warehouse.catalog.organisation import today_in

# A wave that closed this recently is still listed (its final rate), below the open ones.
RECENTLY_CLOSED_DAYS = 14
# A wave opening this soon is announced on the page, e.g. when nothing is open.
UPCOMING_DAYS = 45


class StatusPageError(RuntimeError):
    """The warehouse cannot feed the page; ``staff_message`` says what to do, in Japanese."""

    def __init__(self, message: str, staff_message: str) -> None:
        super().__init__(message)
        self.staff_message = staff_message


@dataclass(frozen=True)
class Point:
    days_since_open: int
    response_rate: float | None
    responded: int


@dataclass(frozen=True)
class Breakdown:
    """One row of a wave's table: a targeted cohort, or the whole wave ('all')."""

    level: str
    code: str
    label_ja: str
    responded: int
    targeted: int
    response_rate: float | None
    curve: list[Point] = field(default_factory=list)

    def still_needed(self, share: float | None) -> int | None:
        """Respondents still missing to reach ``share`` of the targeted (0 when reached)."""
        if share is None or self.targeted == 0:
            return None
        # round() first: 0.7 × 20 is 14.000000000000002 in binary floating point.
        return max(0, math.ceil(round(share * self.targeted, 9)) - self.responded)


@dataclass(frozen=True)
class WaveStatus:
    wave_code: str
    label_ja: str
    program_label_ja: str
    fiscal_year: int
    open_date: date
    close_date: date
    data_date: date  # the last day of the progress rows shown
    days_left: int  # days until close_date, counted from as_of (0 on the closing day)
    target: float | None
    floor: float | None
    breakdowns: list[Breakdown]
    previous_wave_code: str | None = None
    previous_label_ja: str | None = None
    previous_curve: list[Point] = field(default_factory=list)

    @property
    def whole(self) -> Breakdown:
        return next(b for b in self.breakdowns if b.level == "all")

    @property
    def cohorts(self) -> list[Breakdown]:
        return [b for b in self.breakdowns if b.level == "cohort"]

    @property
    def window_days(self) -> int:
        return (self.close_date - self.open_date).days

    def previous_at(self, days_since_open: int) -> Point | None:
        """Last year's point on the same day of its window (or its last day, if shorter)."""
        earlier = [p for p in self.previous_curve if p.days_since_open <= days_since_open]
        return earlier[-1] if earlier else None


@dataclass(frozen=True)
class UpcomingWave:
    wave_code: str
    label_ja: str
    open_date: date
    close_date: date


@dataclass(frozen=True)
class StatusData:
    as_of: date
    organisation_brand_ja: str
    time_zone: str
    open_waves: list[WaveStatus]
    closed_waves: list[WaveStatus]
    upcoming_waves: list[UpcomingWave]
    # Open on as_of, but the warehouse has no day of them yet (built before they opened).
    pending_waves: list[UpcomingWave] = field(default_factory=list)


def _wave_label(wave_type_ja: str | None, population_ja: str | None, code: str) -> str:
    parts = [part for part in (population_ja, wave_type_ja) if part]
    return "・".join(parts) if parts else code


def load_status(audit_db: Path, as_of: date | None = None) -> StatusData:
    """The open waves on ``as_of`` (default: today in the organisation's time zone), the waves
    closed in the last :data:`RECENTLY_CLOSED_DAYS` days and those opening soon."""
    build = _read_build(audit_db, as_of)
    waves, day = build.waves, build.day
    ordered = sorted(waves, key=lambda code: (waves[code]["close_date"], code))
    open_codes = [c for c in ordered if waves[c]["open_date"] <= day <= waves[c]["close_date"]]
    recent = day - timedelta(days=RECENTLY_CLOSED_DAYS)
    closed_codes = [c for c in ordered if recent <= waves[c]["close_date"] < day]
    soon = day + timedelta(days=UPCOMING_DAYS)
    upcoming = [
        UpcomingWave(c, waves[c]["label_ja"], waves[c]["open_date"], waves[c]["close_date"])
        for c in sorted(waves, key=lambda code: (waves[code]["open_date"], code))
        if day < waves[c]["open_date"] <= soon
    ]
    statuses = {code: _wave_status(build, code) for code in open_codes}
    closed = (_wave_status(build, code) for code in closed_codes)
    return StatusData(
        as_of=day,
        organisation_brand_ja=build.brand or "",
        time_zone=build.time_zone,
        open_waves=[s for s in statuses.values() if s is not None],
        closed_waves=[s for s in closed if s is not None],
        upcoming_waves=upcoming,
        pending_waves=[
            UpcomingWave(c, waves[c]["label_ja"], waves[c]["open_date"], waves[c]["close_date"])
            for c, s in statuses.items()
            if s is None
        ],
    )


@dataclass(frozen=True)
class _Build:
    """What the page reads from the audit build, up to the day it shows."""

    brand: str | None
    time_zone: str
    day: date
    waves: dict[str, dict]
    cohort_labels: dict[str, str]
    programs: dict[str, str]
    # (wave, breakdown level, breakdown code) → fct_response_progress rows, oldest first.
    curves: dict[tuple[str, str, str], list[tuple]]


def _read_build(audit_db: Path, as_of: date | None) -> _Build:
    if not Path(audit_db).is_file():
        raise StatusPageError(
            f"audit warehouse {audit_db} does not exist",
            f"集計用データベース {audit_db} がありません。先に「impact build」を実行してください。",
        )
    with duckdb.connect(str(audit_db), read_only=True) as connection:
        tables = {
            row[0]
            for row in connection.execute(
                "select table_schema || '.' || table_name from information_schema.tables"
            ).fetchall()
        }
        if "marts.fct_response_progress" not in tables:
            raise StatusPageError(
                f"{audit_db} has no marts.fct_response_progress",
                "集計用データベースが古い形式です(回答状況の表がありません)。"
                "「impact build」で作り直してください。",
            )
        organisation = connection.execute(
            "select brand_ja, time_zone from catalog.organisation limit 1"
        ).fetchone()
        brand, time_zone = organisation or ("", "UTC")
        day = as_of or today_in(ZoneInfo(time_zone))
        waves = _waves(connection)
        cohort_labels = dict(
            connection.execute(
                "select cohort_code, cohort_label_ja from marts.dim_cohorts"
            ).fetchall()
        )
        programs = dict(
            connection.execute(
                "select program_code, program_name_ja from marts.dim_programs"
            ).fetchall()
        )
        progress = connection.execute(
            """
            select wave_code, breakdown_level, breakdown_code, progress_date, days_since_open,
                   responded, targeted, response_rate
            from marts.fct_response_progress
            where progress_date <= ?
            order by wave_code, breakdown_level, breakdown_code, progress_date
            """,
            [day],
        ).fetchall()
    curves: dict[tuple[str, str, str], list[tuple]] = {}
    for row in progress:
        curves.setdefault((row[0], row[1], row[2]), []).append(row)
    return _Build(brand, time_zone, day, waves, cohort_labels, programs, curves)


def _curve(series: list[tuple]) -> list[Point]:
    return [Point(int(r[4]), r[7], int(r[5])) for r in series]


def _wave_status(build: _Build, code: str) -> WaveStatus | None:
    """The wave's progress, whole and per cohort, beside the wave before it; None before its
    first progress row."""
    wave = build.waves[code]
    rows = {key: value for key, value in build.curves.items() if key[0] == code}
    if not rows:
        return None
    breakdowns = []
    for (_, level, breakdown_code), series in rows.items():
        last = series[-1]
        label = (
            "全体" if level == "all" else build.cohort_labels.get(breakdown_code) or breakdown_code
        )
        breakdowns.append(
            Breakdown(
                level=level,
                code=breakdown_code,
                label_ja=label,
                responded=int(last[5]),
                targeted=int(last[6]),
                response_rate=last[7],
                curve=_curve(series),
            )
        )
    # The whole wave first, then its cohorts in code order.
    breakdowns.sort(key=lambda b: (b.level != "all", b.code))
    previous = _previous_wave(build.waves, code)
    previous_curve = _curve(build.curves.get((previous, "all", "all"), [])) if previous else []
    return WaveStatus(
        wave_code=code,
        label_ja=wave["label_ja"],
        program_label_ja=build.programs.get(wave["program_code"], wave["program_code"]),
        fiscal_year=wave["fiscal_year"],
        open_date=wave["open_date"],
        close_date=wave["close_date"],
        data_date=max(series[-1][3] for series in rows.values()),
        days_left=max(0, (wave["close_date"] - build.day).days),
        target=wave["target"],
        floor=wave["floor"],
        breakdowns=breakdowns,
        previous_wave_code=previous if previous_curve else None,
        previous_label_ja=build.waves[previous]["label_ja"] if previous_curve else None,
        previous_curve=previous_curve,
    )


def _waves(connection: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """Waves that have a response rate (comparison waves have none: fct_response_rates)."""
    rows = connection.execute(
        """
        select wave_code, fiscal_year, wave_type, wave_type_ja, program_code,
               targeted_population_ja, open_date, close_date,
               response_rate_target, response_rate_floor
        from marts.dim_waves
        where wave_type <> 'comparison'
        """
    ).fetchall()
    return {
        row[0]: {
            "fiscal_year": int(row[1]),
            "wave_type": row[2],
            "label_ja": _wave_label(row[3], row[5], row[0]),
            "program_code": row[4],
            "open_date": row[6],
            "close_date": row[7],
            "target": float(row[8]) if row[8] is not None else None,
            "floor": float(row[9]) if row[9] is not None else None,
        }
        for row in rows
    }


def _previous_wave(waves: dict[str, dict], code: str) -> str | None:
    """Last year's same wave: same wave_type and program, the previous fiscal year."""
    wave = waves[code]
    matches = sorted(
        other
        for other, candidate in waves.items()
        if candidate["wave_type"] == wave["wave_type"]
        and candidate["program_code"] == wave["program_code"]
        and candidate["fiscal_year"] == wave["fiscal_year"] - 1
    )
    return matches[0] if matches else None
