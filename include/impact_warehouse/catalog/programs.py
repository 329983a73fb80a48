"""Programs and the groups a report adds them up into (``programs.csv``)."""

from __future__ import annotations

from dataclasses import dataclass

from impact_warehouse.catalog.errors import CatalogError, check_new, required, required_code


@dataclass(frozen=True)
class Program:
    program_code: str
    program_name_ja: str
    has_outcome_survey: bool
    # Programs a report table adds up into one column (Mamabono: the two ママボノNEXT programs).
    program_group_code: str
    program_group_name_ja: str
    program_group_short_ja: str


@dataclass(frozen=True)
class ProgramGroup:
    program_group_code: str
    program_group_name_ja: str
    program_group_short_ja: str  # the group's column header in report tables
    program_codes: tuple[str, ...]


# "all" is the total column of every table that has a column per program or group.
RESERVED_CODES = ("all", "all_programs")


def read_programs(file_name: str, rows: list[tuple[int, dict[str, str]]]) -> dict[str, Program]:
    """Programs by code from ``rows`` (line number, row) of ``programs.csv``."""
    programs: dict[str, Program] = {}
    group_names: dict[str, tuple[int, str, str]] = {}
    for line, row in rows:
        code = required_code(file_name, line, row, "program_code")
        check_new(file_name, line, "program_code", code, programs)
        group = required_code(file_name, line, row, "program_group_code")
        for column, value in (("program_code", code), ("program_group_code", group)):
            if value in RESERVED_CODES:
                raise CatalogError(
                    f"{file_name} line {line}: '{column}'={value!r} is reserved for the total "
                    "of every program; choose another code"
                )
        name = required(file_name, line, row, "program_group_name_ja")
        short = row["program_group_short_ja"].strip() or name
        first = group_names.setdefault(group, (line, name, short))
        if first[1:] != (name, short):
            raise CatalogError(
                f"{file_name} line {line}: program group {group!r} is named "
                f"{name!r}/{short!r} here but {first[1]!r}/{first[2]!r} on line {first[0]}; "
                "write the same program_group_name_ja and program_group_short_ja on every row "
                "of a group"
            )
        programs[code] = Program(
            program_code=code,
            program_name_ja=row["program_name_ja"],
            has_outcome_survey=row["has_outcome_survey"].strip().lower() in ("true", "1", "yes"),
            program_group_code=group,
            program_group_name_ja=name,
            program_group_short_ja=short,
        )
    return programs
