"""Read comparison-panel deliveries as the vendor sends them: CSV or XLSX, Japanese headers,
one row per panel respondent answer.

Nothing here raises for bad input except ``PanelFileError`` (the whole file cannot be read,
with a quarantine reason code); problems of single rows are returned as ``RowProblem`` so the
other rows of the file still land.

Encoding rule of a CSV delivery (README: "Panel deliveries"), first match wins:

1. a byte-order mark: UTF-8 (EF BB BF), UTF-16 LE (FF FE), UTF-16 BE (FE FF);
2. strict UTF-8, when the whole file is valid UTF-8 (pure ASCII included);
3. CP932 (Windows Japanese, the vendors' default), when the file is valid CP932 and does not
   look like EUC-JP (bytes 0x80–0xA0, which every CP932 kana and most kanji use and EUC-JP
   never uses, are present);
4. anything else, a NUL byte outside UTF-16, or a UTF-8 file damaged after valid multibyte
   characters (cut inside a character) is refused whole as ``undecodable_file``, with the
   byte offset of the first bad byte.

UTF-8 is tried before CP932 because real CP932 Japanese is never valid UTF-8 (its first
kana byte is a bare UTF-8 continuation byte), while UTF-8 Japanese often *is* valid CP932
(as mojibake): the other order would misread every UTF-8 file without a BOM.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook

PANEL_SUFFIXES = (".csv", ".xlsx")
SAMPLE_ID_HEADER = "サンプルID"
ANSWERED_AT_HEADER = "回答日時"

# Vendor columns that describe the respondent rather than answer a catalog item.
METADATA_HEADERS = {
    SAMPLE_ID_HEADER: "sample_id",
    "年齢": "age",
    "居住地域": "region",
    "就業形態": "employment_type",
    ANSWERED_AT_HEADER: "answered_at",
}

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be", "utf-16-be"),
)
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls or a password-protected workbook
_EUC_JP_ONLY_HIGH = re.compile(rb"[\x80-\xa0]")


class PanelFileError(Exception):
    """The whole file cannot be read; ``reason_code`` is a quarantine reason."""

    def __init__(self, reason_code: str, detail: str) -> None:
        super().__init__(f"{reason_code}: {detail}")
        self.reason_code = reason_code
        self.detail = detail


@dataclass(frozen=True)
class PanelRow:
    row_number: int  # row of the file; the header is row 1
    cells: dict[str, str]  # header → cell text ("" for blank)
    raw: str  # the row as delivered (for the vault only: it holds the vendor's sample id)


@dataclass(frozen=True)
class RowProblem:
    row_number: int
    reason_code: str  # short_row, long_row or repeated_header
    detail: str
    raw: str


@dataclass(frozen=True)
class PanelFile:
    path: Path
    sha256: str
    encoding: str  # cp932, utf-8, utf-8-sig, utf-16-le, utf-16-be or xlsx
    headers: list[str]
    rows: list[PanelRow]
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def received(self) -> int:
        return len(self.rows) + len(self.problems)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def decode_csv_bytes(content: bytes) -> tuple[str, str]:
    """Return (text, encoding) by the rule in the module docstring, or raise PanelFileError."""
    for bom, codec, name in _BOMS:
        if content.startswith(bom):
            try:
                return content.decode(codec).removeprefix("\ufeff"), name
            except UnicodeDecodeError as error:
                raise PanelFileError(
                    "undecodable_file",
                    f"{name} byte-order mark, but the bytes at offset {error.start} are not "
                    f"{name} ({error.reason}; the file may be cut short)",
                ) from None
    nul = content.find(b"\x00")
    if nul >= 0:
        raise PanelFileError(
            "undecodable_file",
            f"NUL byte at offset {nul}: not a text file (or UTF-16 without a byte-order mark)",
        )
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        utf8_error = error
    first_high = next(index for index, byte in enumerate(content) if byte >= 0x80)
    if utf8_error.start > first_high:
        # Valid multibyte UTF-8 came first: a UTF-8 file, damaged or cut at this byte.
        raise PanelFileError(
            "undecodable_file",
            f"UTF-8 text with an invalid byte at offset {utf8_error.start} "
            f"({utf8_error.reason}; the file may be cut inside a character)",
        )
    try:
        text = content.decode("cp932")
    except UnicodeDecodeError as cp932_error:
        raise PanelFileError(
            "undecodable_file",
            f"neither UTF-8 (first invalid byte at offset {first_high}) nor CP932 (first "
            f"invalid byte at offset {cp932_error.start}, {cp932_error.reason})",
        ) from None
    if not _EUC_JP_ONLY_HIGH.search(content) and _decodes(content, "euc_jp"):
        raise PanelFileError(
            "undecodable_file",
            f"looks like EUC-JP (first non-ASCII byte at offset {first_high}); "
            "ask the vendor for CP932 or UTF-8",
        )
    return text, "cp932"


def _decodes(content: bytes, codec: str) -> bool:
    try:
        content.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def cell_text(value: object) -> str:
    """XLSX cells come typed; render them as the CSV variant of the delivery would."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _split_rows(headers: list[str], lines: Iterator[tuple[int, list[str], str]], *, pad: bool):
    """Sort data rows into readable rows and row problems (blank rows are skipped).

    ``pad``: an XLSX row simply stops at its last filled cell, so a shorter row is not a
    defect there; in a CSV every cell has its comma, so fewer cells mean a damaged row.
    Extra cells that are all blank (a trailing comma) are harmless either way.
    """
    rows: list[PanelRow] = []
    problems: list[RowProblem] = []
    width = len(headers)
    for row_number, cells, raw in lines:
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        extra = cells[width:]
        if cells[:width] == headers[: len(cells)]:
            problems.append(
                RowProblem(row_number, "repeated_header", "row repeats the header row", raw)
            )
        elif cells and cells[0] == SAMPLE_ID_HEADER:
            problems.append(
                RowProblem(
                    row_number, "repeated_header", f"row starts with the header {cells[0]}", raw
                )
            )
        elif any(extra):
            problems.append(
                RowProblem(
                    row_number,
                    "long_row",
                    f"{len(cells)} cells, the header has {width} (an unquoted comma?)",
                    raw,
                )
            )
        elif len(cells) < width and not pad:
            problems.append(
                RowProblem(
                    row_number, "short_row", f"{len(cells)} cells, the header has {width}", raw
                )
            )
        else:
            cells = cells[:width] + [""] * (width - len(cells))
            rows.append(PanelRow(row_number, dict(zip(headers, cells, strict=True)), raw))
    return rows, problems


def _headers(cells: list[str], what: str) -> list[str]:
    headers = [cell.strip() for cell in cells]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise PanelFileError("empty_file", f"{what} has no header row")
    named = [header for header in headers if header]
    if len(set(named)) != len(named):
        repeated = sorted({header for header in named if named.count(header) > 1})
        raise PanelFileError("corrupt_file", f"header names repeated: {repeated}")
    return headers


def _read_csv(content: bytes) -> tuple[str, list[str], list[PanelRow], list[RowProblem]]:
    if not content.strip():
        raise PanelFileError("empty_file", "file is empty (0 bytes or only blanks)")
    text, encoding = decode_csv_bytes(content)
    lines = text.splitlines()
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise PanelFileError("corrupt_file", f"CSV cannot be parsed: {error}") from None
    non_blank = [(index, cells) for index, cells in enumerate(records) if any(cells)]
    if not non_blank:
        raise PanelFileError("empty_file", "file holds no header row")
    header_index, header_cells = non_blank[0]
    headers = _headers(header_cells, "file")
    # csv.reader numbers records, not lines; a quoted cell may span lines, so the raw text
    # of a record is rebuilt from its cells when the line count differs.
    same_lines = len(lines) == len(records)

    def numbered() -> Iterator[tuple[int, list[str], str]]:
        for index, cells in enumerate(records[header_index + 1 :], start=header_index + 2):
            raw = lines[index - 1] if same_lines else ",".join(cells)
            yield index, cells, raw

    rows, problems = _split_rows(headers, numbered(), pad=False)
    if not rows and not problems:
        raise PanelFileError("empty_file", "header row only, no data rows")
    return encoding, headers, rows, problems


def _read_xlsx(content: bytes) -> tuple[str, list[str], list[PanelRow], list[RowProblem]]:
    if not content:
        raise PanelFileError("empty_file", "file is empty (0 bytes)")
    if content.startswith(_OLE_MAGIC):
        raise PanelFileError(
            "corrupt_file", "not an XLSX workbook: a legacy .xls or a password-protected file"
        )
    if not content.startswith(_ZIP_MAGIC):
        raise PanelFileError(
            "corrupt_file",
            f"not an XLSX workbook: it does not start as a ZIP archive (first bytes "
            f"{content[:4].hex(' ')})",
        )
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    # openpyxl reports damaged archives with many exception types (BadZipFile, KeyError,
    # InvalidFileException, XML parse errors); each means the same for us: not readable.
    except Exception as error:
        raise PanelFileError(
            "corrupt_file", f"XLSX cannot be opened ({type(error).__name__}: {error})"
        ) from None
    try:
        if not workbook.worksheets:
            raise PanelFileError("empty_file", "workbook has no sheet")
        values = iter(workbook.worksheets[0].iter_rows(values_only=True))
        header_row = next(values, None)
        if header_row is None:
            raise PanelFileError("empty_file", "first sheet is empty")
        headers = _headers([cell_text(cell) for cell in header_row], "first sheet")

        def numbered() -> Iterator[tuple[int, list[str], str]]:
            for row_number, row in enumerate(values, start=2):
                cells = [cell_text(cell) for cell in row]
                while cells and not cells[-1]:
                    cells.pop()
                yield row_number, cells, ",".join(cells)

        rows, problems = _split_rows(headers, numbered(), pad=True)
    except PanelFileError:
        raise
    # A damaged sheet may fail only while its rows are read.
    except Exception as error:
        raise PanelFileError(
            "corrupt_file", f"XLSX sheet cannot be read ({type(error).__name__}: {error})"
        ) from None
    finally:
        workbook.close()
    if not rows and not problems:
        raise PanelFileError("empty_file", "header row only, no data rows")
    return "xlsx", headers, rows, problems


def read_regular_file(path: Path) -> bytes:
    """The bytes of ``path`` if it is a regular file, never following a symlink (O_NOFOLLOW
    and fstat on the opened descriptor: a file swapped for a link after listing is refused)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise PanelFileError(
            "not_a_regular_file", f"cannot be opened as a file: {error.strerror}"
        ) from None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise PanelFileError("not_a_regular_file", "not a regular file; not read")
        return handle.read()


def read_panel_file(path: Path) -> PanelFile:
    """Read one delivery, or raise PanelFileError with the reason the whole file is refused."""
    suffix = path.suffix.lower()
    if suffix not in PANEL_SUFFIXES:
        raise PanelFileError("corrupt_file", "panel deliveries must be .csv or .xlsx")
    content = read_regular_file(path)
    reader = _read_xlsx if suffix == ".xlsx" else _read_csv
    encoding, headers, rows, problems = reader(content)
    sha256 = hashlib.sha256(content).hexdigest()
    return PanelFile(path, sha256, encoding, headers, rows, problems)


@dataclass(frozen=True)
class InboxEntry:
    path: Path
    refusal: str | None  # why it is not read, None for a delivery
    reason_code: str = "not_a_regular_file"


def find_panel_files(inbox: Path) -> Iterator[InboxEntry]:
    """Entries of ``<inbox>/panel`` with a panel suffix or refused, in name order.

    Only regular files directly in the folder are deliveries. Symlinks are never followed
    (lstat): one pointing at the pseudonym key would otherwise be read and echoed. Hidden
    files (".", "._" from macOS, "~$" Excel locks) and folders are refused, not read.
    """
    folder = inbox / "panel"
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        try:
            mode = path.lstat().st_mode
        except OSError as error:  # removed or unreadable since the listing
            yield InboxEntry(path, f"cannot be inspected ({error.strerror}); not read")
            continue
        if stat.S_ISLNK(mode):
            yield InboxEntry(path, "symbolic link; not followed, not read")
        elif path.name.startswith((".", "~$")):
            yield InboxEntry(path, "hidden or temporary file; not read")
        elif stat.S_ISDIR(mode):
            yield InboxEntry(path, "folder; only files directly in the panel folder are read")
        elif not stat.S_ISREG(mode):
            yield InboxEntry(path, "special file (not a regular file); not read")
        elif path.suffix.lower() in PANEL_SUFFIXES:
            yield InboxEntry(path, None)
        else:
            # Reported, not skipped in silence: a delivery saved as .xls or .txt is still a
            # delivery someone expects to see landed.
            yield InboxEntry(path, "not a .csv or .xlsx file; not read", "unsupported_file")
