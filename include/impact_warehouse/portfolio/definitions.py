"""The funder's portfolio, declared as data: common indicators, organisations, mappings.

Three kinds of CSV file, read and checked here before any release is opened:

- ``common_indicators.csv`` (the funder's folder): the common set organisations are compared
  on, with the direction that is good (``higher`` / ``lower``);
- ``portfolio.csv`` (the funder's folder): one row per organisation, with its catalog folder
  and the folder of its releases (paths relative to ``portfolio.csv``);
- ``portfolio/shared_indicators.csv`` (each organisation's catalog folder): which of its own
  published figures (indicator, item, wave type, measure) stands for which common indicator,
  with a note on what differs (instrument, wording) in Japanese and English.

A mapping names an item and a wave type as well as the indicator: an indicator is fed by
several items at several waves, and a comparable figure is one share of one item at one
wave. The file sits in a ``portfolio/`` sub-folder so dbt does not load it as a seed.

Every problem raises :class:`PortfolioError`: a Japanese sentence for staff naming the file,
the line and the fix, and the English detail for logs.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

COMMON_INDICATORS_FILE = "common_indicators.csv"
PORTFOLIO_FILE = "portfolio.csv"
MAPPING_FOLDER = "portfolio"
MAPPING_FILE = "shared_indicators.csv"
DIRECTIONS = ("higher", "lower")
DIRECTION_JA = {"higher": "高いほどよい", "lower": "低いほどよい"}

_COMMON_COLUMNS = (
    "common_indicator_code",
    "label_ja",
    "label_en",
    "good_direction",
    "definition_ja",
    "definition_en",
    "display_order",
)
_PORTFOLIO_COLUMNS = ("organisation_code", "catalog_dir", "releases_dir")
_MAPPING_COLUMNS = (
    "common_indicator_code",
    "indicator_code",
    "item_code",
    "wave_type",
    "measure",
    "note_ja",
    "note_en",
)


class PortfolioError(ValueError):
    """A portfolio file or a source release cannot be used; ``message_ja`` tells staff what
    to fix, ``str()`` is the English detail."""

    def __init__(self, message_ja: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_ja = message_ja


@dataclass(frozen=True)
class CommonIndicator:
    common_indicator_code: str
    label_ja: str
    label_en: str
    good_direction: str
    definition_ja: str
    definition_en: str
    display_order: int


@dataclass(frozen=True)
class Organisation:
    organisation_code: str
    catalog_dir: Path
    releases_dir: Path
    line: int
    # The fiscal year compared, read from the organisation's current release (each release
    # holds every year); None: the release's own fiscal year.
    fiscal_year: int | None = None

    @property
    def mapping_path(self) -> Path:
        return self.catalog_dir / MAPPING_FOLDER / MAPPING_FILE


@dataclass(frozen=True)
class Mapping:
    common_indicator_code: str
    indicator_code: str
    item_code: str
    wave_type: str
    measure: str
    note_ja: str
    note_en: str
    line: int


@dataclass(frozen=True)
class Portfolio:
    folder: Path
    common_indicators: dict[str, CommonIndicator]
    organisations: tuple[Organisation, ...]


def _where(path: Path, line: int | None = None) -> str:
    return f"{path}" + (f" の {line} 行目" if line else "")


def _read(
    path: Path, columns: tuple[str, ...], optional: tuple[str, ...] = ()
) -> list[tuple[int, dict[str, str]]]:
    """Rows with their line number (the header is line 1), every value stripped; an
    ``optional`` column missing from the header reads as empty."""
    if not path.is_file():
        raise PortfolioError(
            f"{path} がありません。ファイルを作るか、パスを直してください。",
            f"{path}: file is missing",
        )
    try:
        return _read_rows(path, columns, optional)
    except UnicodeDecodeError as error:
        raise PortfolioError(
            f"{path} を UTF-8 の文字として読めません({error.start} バイト目)。"
            "UTF-8 で保存し直してください。",
            f"{path}: not UTF-8 at byte {error.start}",
        ) from error
    except csv.Error as error:  # e.g. a quote never closed: the rest reads as one value
        raise PortfolioError(
            f'{path} を CSV として読めません({error})。閉じていないダブルクォート(")が'
            "ないか確かめてください。",
            f"{path}: {error}",
        ) from error


def _read_rows(
    path: Path, columns: tuple[str, ...], optional: tuple[str, ...]
) -> list[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in columns if column not in (reader.fieldnames or [])]
        if missing:
            raise PortfolioError(
                f"{path} の1行目(見出し)に列 {', '.join(missing)} がありません。"
                f"見出しは {','.join(columns)} です。",
                f"{path}: header lacks {', '.join(missing)}",
            )
        rows = []
        for line, row in enumerate(reader, start=2):
            if None in row:  # csv.DictReader keeps the values beyond the header under None
                raise PortfolioError(
                    f"{_where(path, line)}: 見出しより値が多くあります。値にカンマが"
                    '入っているときは、値全体をダブルクォート(")で囲んでください。',
                    f"{path} line {line}: more values than columns (an unquoted comma?)",
                )
            values = {column: (row.get(column) or "").strip() for column in columns + optional}
            if not any(values.values()):
                continue
            rows.append((line, values))
    return rows


def _required(path: Path, line: int, row: dict[str, str], column: str) -> str:
    if not row[column]:
        raise PortfolioError(
            f"{_where(path, line)}: 列 {column} が空です。値を入れてください。",
            f"{path} line {line}: column {column!r} is empty",
        )
    return row[column]


def _duplicate(path: Path, line: int, what_ja: str, shown: str) -> PortfolioError:
    return PortfolioError(
        f"{_where(path, line)}: {what_ja}「{shown}」が2回出てきます。どちらか1行にしてください。",
        f"{path} line {line}: {shown} appears twice",
    )


def read_common_indicators(path: Path) -> dict[str, CommonIndicator]:
    indicators: dict[str, CommonIndicator] = {}
    for line, row in _read(path, _COMMON_COLUMNS):
        code = _required(path, line, row, "common_indicator_code")
        if code in indicators:
            raise _duplicate(path, line, "共通指標", code)
        direction = _required(path, line, row, "good_direction")
        if direction not in DIRECTIONS:
            raise PortfolioError(
                f"{_where(path, line)}: good_direction は higher(高いほどよい)か"
                f"lower(低いほどよい)にしてください(「{direction}」)。",
                f"{path} line {line}: good_direction {direction!r} is not higher/lower",
            )
        order = row["display_order"] or "0"
        if not order.isdigit():
            raise PortfolioError(
                f"{_where(path, line)}: display_order は整数にしてください(「{order}」)。",
                f"{path} line {line}: display_order {order!r} is not an integer",
            )
        indicators[code] = CommonIndicator(
            common_indicator_code=code,
            label_ja=_required(path, line, row, "label_ja"),
            label_en=row["label_en"],
            good_direction=direction,
            definition_ja=row["definition_ja"],
            definition_en=row["definition_en"],
            display_order=int(order),
        )
    if not indicators:
        raise PortfolioError(
            f"{path} に共通指標が1行もありません。比べる指標を1行ずつ書いてください。",
            f"{path}: no common indicator",
        )
    return indicators


def _resolve(folder: Path, value: str) -> Path:
    # Taken as written: no ${VARIABLE} expansion (a path must not pull a secret into the
    # portfolio's messages and manifest).
    path = Path(value)
    return path if path.is_absolute() else (folder / path).resolve()


def _fiscal_year(path: Path, line: int, text: str) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"(19|20)\d\d", text):
        raise PortfolioError(
            f"{_where(path, line)}: fiscal_year「{text}」は年度(例 2025)ではありません。"
            "空欄なら、その団体の公開中のリリースの年度を比べます。",
            f"{path} line {line}: fiscal_year {text!r} is not a year",
        )
    return int(text)


def read_portfolio(folder: Path) -> Portfolio:
    """The funder's folder: its common indicators and its organisations (not yet opened)."""
    folder = folder.resolve()
    common = read_common_indicators(folder / COMMON_INDICATORS_FILE)
    path = folder / PORTFOLIO_FILE
    organisations: list[Organisation] = []
    codes: set[str] = set()
    for line, row in _read(path, _PORTFOLIO_COLUMNS, optional=("fiscal_year",)):
        code = _required(path, line, row, "organisation_code")
        if code in codes:  # a set: a file of many rows is checked in one pass
            raise _duplicate(path, line, "団体", code)
        codes.add(code)
        organisations.append(
            Organisation(
                organisation_code=code,
                catalog_dir=_resolve(folder, _required(path, line, row, "catalog_dir")),
                releases_dir=_resolve(folder, _required(path, line, row, "releases_dir")),
                line=line,
                fiscal_year=_fiscal_year(path, line, row["fiscal_year"]),
            )
        )
    if not organisations:
        raise PortfolioError(
            f"{path} に団体が1行もありません。団体ごとに1行書いてください。",
            f"{path}: no organisation",
        )
    return Portfolio(folder, common, tuple(organisations))


def read_mappings(
    organisation: Organisation, common: dict[str, CommonIndicator]
) -> tuple[Mapping, ...]:
    """The organisation's mapping rows, checked on their own (the release checks the rest:
    :func:`impact_warehouse.portfolio.sources.check_mappings`)."""
    path = organisation.mapping_path
    mappings: list[Mapping] = []
    for line, row in _read(path, _MAPPING_COLUMNS):
        code = _required(path, line, row, "common_indicator_code")
        if code not in common:
            known = ", ".join(common)
            raise PortfolioError(
                f"{_where(path, line)}: 共通指標「{code}」は {COMMON_INDICATORS_FILE} に"
                f"ありません。{known} のどれかにしてください。",
                f"{path} line {line}: unknown common indicator {code!r} (known: {known})",
            )
        if any(known.common_indicator_code == code for known in mappings):
            raise PortfolioError(
                f"{_where(path, line)}: 共通指標「{code}」への対応が2行あります。"
                "1つの共通指標には団体ごとに1つの数字だけを対応させてください。",
                f"{path} line {line}: common indicator {code!r} is mapped twice",
            )
        mappings.append(
            Mapping(
                common_indicator_code=code,
                indicator_code=_required(path, line, row, "indicator_code"),
                item_code=_required(path, line, row, "item_code"),
                wave_type=_required(path, line, row, "wave_type"),
                measure=_required(path, line, row, "measure"),
                note_ja=_required(path, line, row, "note_ja"),
                note_en=row["note_en"],
                line=line,
            )
        )
    if not mappings:
        raise PortfolioError(
            f"{path} に対応が1行もありません。共通指標に対応する指標を書いてください。",
            f"{path}: no mapping",
        )
    return tuple(mappings)
