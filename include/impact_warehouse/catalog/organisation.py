"""The organisation profile (``organisation.csv``): who publishes the report, and its calendar.

One row per organisation. Everything the report's cover, footer and methods text, the XLSX
"about" rows and the calendar need that used to be Mamabono's is read from here, so another
NPO changes this file, not code. Errors name the file, the row and the fix.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from impact_warehouse.catalog.errors import CatalogError

FILE_NAME = "organisation.csv"
# The only placeholder a title may hold; the report fills in the fiscal year it covers.
TITLE_PLACEHOLDERS = frozenset({"fiscal_year"})
# Optional English columns (the English report's cover, footer and methods).
ENGLISH_COLUMNS = (
    "report_short_title_en",
    "tagline_en",
    "footer_en",
    "participants_label_en",
    "comparison_group_label_en",
    "comparison_group_description_en",
)
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


# The fiscal-year rule, once for Python (the SQL twin is macros/fiscal_year.sql): a fiscal year
# starts on the 1st of the organisation's month and is named by the calendar year it starts in.
def today_in(zone: tzinfo) -> date:
    """Today's date in ``zone`` (the organisation's, or one read from a warehouse)."""
    return datetime.now(zone).date()


def fiscal_year_of(day: date, start_month: int) -> int:
    """The fiscal year ``day`` falls in (Mamabono, April: 2026-03-31 → 2025, 2026-04-01 → 2026)."""
    return day.year if day.month >= start_month else day.year - 1


def fiscal_year_start(fiscal_year: int, start_month: int) -> date:
    """The first day of ``fiscal_year``."""
    return date(fiscal_year, start_month, 1)


@dataclass(frozen=True)
class Organisation:
    organisation_code: str
    organisation_name_ja: str
    organisation_name_en: str
    brand_ja: str
    brand_en: str
    report_title_ja: str  # with {fiscal_year}
    report_title_en: str
    report_short_title_ja: str
    tagline_ja: str
    footer_ja: str
    participants_label_ja: str
    comparison_group_label_ja: str
    comparison_group_description_ja: str
    fiscal_year_start_month: int
    time_zone: str
    release_month_day: tuple[int, int] | None  # None: no yearly release date
    # English beside the Japanese, for the English report (optional columns: empty when the
    # catalog has none; the English report then lists them as missing translations).
    report_short_title_en: str = ""
    tagline_en: str = ""
    footer_en: str = ""
    participants_label_en: str = ""
    comparison_group_label_en: str = ""
    comparison_group_description_en: str = ""
    # ``release_approval`` yes: a person approves each release in the Airflow UI after a
    # passing gate (pipeline.release, orchestration.approval); no or empty (the default): the
    # gate decides.
    release_approval: bool = False

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def report_title(self, fiscal_year: int) -> str:
        return self.report_title_ja.format(fiscal_year=fiscal_year)

    def report_short_title(self, fiscal_year: int) -> str:
        return self.report_short_title_ja.format(fiscal_year=fiscal_year)

    def today(self) -> date:
        """Today's date on the organisation's wall clock."""
        return today_in(self.zone)

    def local_time(self, moment: datetime) -> str:
        """An aware moment as the organisation's wall clock, e.g. ``2026-05-01 06:00 JST``."""
        return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M %Z")

    def fiscal_year_of(self, day: date) -> int:
        """The fiscal year a day falls in, named by the calendar year it starts in."""
        return fiscal_year_of(day, self.fiscal_year_start_month)

    def fiscal_year_start(self, fiscal_year: int) -> date:
        """The first day of ``fiscal_year``."""
        return fiscal_year_start(fiscal_year, self.fiscal_year_start_month)

    def release_date(self, fiscal_year: int) -> date | None:
        """The yearly release day after ``fiscal_year`` has closed (None: no release rule)."""
        if self.release_month_day is None:
            return None
        month, day = self.release_month_day
        closes = fiscal_year_start(fiscal_year + 1, self.fiscal_year_start_month)
        year = closes.year if (month, day) >= (closes.month, closes.day) else closes.year + 1
        return date(year, month, day)


def read_organisation(file_name: str, rows: list[tuple[int, dict[str, str]]]) -> Organisation:
    """The single profile in ``rows`` (line number, row) of ``organisation.csv``."""
    if len(rows) != 1:
        raise CatalogError(
            f"{file_name}: {len(rows)} organisation rows; keep exactly one row below the "
            "header (the organisation that publishes this warehouse)",
            file_name=file_name,
        )
    line, row = rows[0]

    def required(column: str) -> str:
        value = (row[column] or "").strip()
        if not value:
            raise CatalogError(f"{file_name} line {line}: column '{column}' is empty; fill it in")
        return value

    for column in ("report_title_ja", "report_title_en", "report_short_title_ja"):
        _check_placeholders(file_name, line, column, required(column))

    def optional(column: str) -> str:
        return (row.get(column) or "").strip()

    if optional("report_short_title_en"):
        _check_placeholders(
            file_name, line, "report_short_title_en", optional("report_short_title_en")
        )
    return Organisation(
        organisation_code=required("organisation_code"),
        organisation_name_ja=required("organisation_name_ja"),
        organisation_name_en=required("organisation_name_en"),
        brand_ja=row["brand_ja"].strip(),
        brand_en=row["brand_en"].strip(),
        report_title_ja=required("report_title_ja"),
        report_title_en=required("report_title_en"),
        report_short_title_ja=required("report_short_title_ja"),
        tagline_ja=row["tagline_ja"].strip(),
        footer_ja=required("footer_ja"),
        participants_label_ja=required("participants_label_ja"),
        comparison_group_label_ja=required("comparison_group_label_ja"),
        comparison_group_description_ja=row["comparison_group_description_ja"].strip(),
        fiscal_year_start_month=_month(file_name, line, required("fiscal_year_start_month")),
        time_zone=_time_zone(file_name, line, required("time_zone")),
        release_month_day=_month_day(file_name, line, row["release_month_day"].strip()),
        **{column: optional(column) for column in ENGLISH_COLUMNS},
        release_approval=_yes_no(file_name, line, "release_approval", optional("release_approval")),
    )


def _yes_no(file_name: str, line: int, column: str, value: str) -> bool:
    """An optional yes/no column: empty or absent is no."""
    if value.lower() in ("", "no"):
        return False
    if value.lower() == "yes":
        return True
    raise CatalogError(
        f"{file_name} line {line}: '{column}'={value!r} is neither yes nor no; write yes "
        "(a person approves each release in the Airflow UI before it is published) or no "
        "(published when the quality gate passes; the default when empty)"
    )


def _month(file_name: str, line: int, value: str) -> int:
    # isascii: str.isdigit() also accepts digits int() cannot read, such as '²'.
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 12:
        raise CatalogError(
            f"{file_name} line {line}: 'fiscal_year_start_month'={value!r} is not a month; "
            "write the number of the month the fiscal year starts in, 1–12 (4 for April)"
        )
    return int(value)


def _time_zone(file_name: str, line: int, value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise CatalogError(
            f"{file_name} line {line}: 'time_zone'={value!r} is not a known time zone; "
            "write an IANA name such as Asia/Tokyo or Europe/Berlin"
        ) from None
    return value


def _month_day(file_name: str, line: int, value: str) -> tuple[int, int] | None:
    if not value:
        return None
    match = _MONTH_DAY.match(value)
    try:
        if match is None:
            raise ValueError(value)
        month, day = int(match.group(1)), int(match.group(2))
        date(2001, month, day)  # a day every year has (no 29 February)
    except ValueError:
        raise CatalogError(
            f"{file_name} line {line}: 'release_month_day'={value!r} is not a day of the year; "
            "write MM-DD (05-01 for 1 May), or leave it empty for no yearly release date"
        ) from None
    return month, day


def _check_placeholders(file_name: str, line: int, column: str, value: str) -> None:
    """Only {fiscal_year}, and only in a form the report can fill: the check formats the title
    with a sample year, so a format spec or conversion ({fiscal_year:s}, {fiscal_year!z})
    is refused here rather than failing when a report is rendered."""
    problem = ""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    except ValueError as error:
        names, problem = set(), f"an unbalanced brace ({error})"
    unknown = sorted(names - TITLE_PLACEHOLDERS)
    if unknown:
        problem = f"{{{unknown[0]}}}"
    elif not problem:
        try:
            value.format(fiscal_year=2025)
        except (ValueError, KeyError, IndexError, AttributeError) as error:
            problem = f"a placeholder the report cannot fill ({error})"
    if problem:
        raise CatalogError(
            f"{file_name} line {line}: '{column}' holds {problem}; the only placeholder "
            "is {fiscal_year} (write a brace itself as {{ or }})"
        )
