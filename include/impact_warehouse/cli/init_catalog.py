"""``impact init <folder>``: start a new organisation's catalog, and its pseudonym key.

Every catalog file is written with its header only: a seed row of placeholders would be
loaded by dbt as data, so the examples live in the folder's README instead (one row per file,
from the shipped example). ``organisation.csv`` gets one row to fill in and ``wave_types.csv``
the four wave types the pipeline knows. The key is created once, owner-only, in the secrets
folder (``IMPACT_SECRETS_DIR``), never in the catalog folder, which is meant for git.
"""

from __future__ import annotations

import csv
import io
import os
import secrets
from pathlib import Path

from impact_warehouse.landing.privacy import MIN_PSEUDONYM_KEY_BYTES, PSEUDONYM_KEY_ENV
from impact_warehouse.settings import BUILTIN_CATALOG_DIR, PROJECT_ROOT, paths

EXAMPLE_CATALOG_DIR = PROJECT_ROOT / "examples" / "hataraku_women"
KEY_FILE = "pseudonym.key"
DEMO_FILES = ("demo/cohorts.csv", "demo/answers.csv")
_FILLED_IN = {
    "organisation.csv": lambda code: {
        "organisation_code": code,
        "organisation_name_ja": "(団体名)",
        "report_title_ja": "(報告書のタイトル)",
        "fiscal_year_start_month": "4",
        "time_zone": "Asia/Tokyo",
        "demo_data": "profile",
    },
}


def template_files() -> dict[str, tuple[list[str], list[str] | None]]:
    """Relative path → (header, an example row or None), for every catalog file.

    Headers are the built-in catalog's (the columns the pipeline reads today) followed by any
    column only the shipped example has (e.g. ``demo_data``); example rows come from the
    example.
    """
    names = sorted(
        {path.name for path in BUILTIN_CATALOG_DIR.glob("*.csv")}
        | {path.name for path in EXAMPLE_CATALOG_DIR.glob("*.csv")}
    )
    files: dict[str, tuple[list[str], list[str] | None]] = {}
    for name in [*names, *DEMO_FILES]:
        builtin = BUILTIN_CATALOG_DIR / name
        example_header, example_row = _first_rows(EXAMPLE_CATALOG_DIR / name)
        header = _first_rows(builtin)[0] if builtin.is_file() else []
        header += [column for column in example_header if column not in header]
        row = None
        if example_row is not None and header:
            values = dict(zip(example_header, example_row, strict=False))
            row = [values.get(column, "") for column in header]
        files[name] = (header, row)
    return files


def init_catalog(folder: Path, secrets_dir: Path | None = None) -> list[str]:
    """Create ``folder`` with an empty catalog and the key; returns lines to print.

    Raises FileExistsError when the folder exists: nothing is ever overwritten.
    """
    folder = folder.resolve()
    if folder.exists():
        raise FileExistsError(f"{folder} already exists; choose a new folder (nothing written)")
    files = template_files()
    folder.mkdir(parents=True)
    wave_types = _first_data_rows(BUILTIN_CATALOG_DIR / "wave_types.csv")
    for name, (header, _example) in files.items():
        rows: list[list[str]] = []
        if name in _FILLED_IN:
            values = _FILLED_IN[name](_code_of(folder))
            rows = [[values.get(column, "") for column in header]]
        elif name == "wave_types.csv":
            rows = wave_types
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_csv_text([header, *rows]), encoding="utf-8")
    (folder / "README.md").write_text(_readme(folder, files), encoding="utf-8")
    key_line = _create_key((secrets_dir or paths().secrets) / KEY_FILE)
    return [
        f"created the catalog {folder} ({len(files)} files, see its README.md)",
        key_line,
        "next steps:",
        f"  1. fill in {folder / 'organisation.csv'}, then programs, cohorts, waves, items …",
        f"  2. check it: python -m impact_warehouse.catalog --seeds {folder}",
        f"  3. use it:   export IMPACT_CATALOG_DIR={folder}",
        "  4. try it on demo data (fill demo/cohorts.csv and demo/answers.csv): impact demo",
        "     or with real forms: impact pull --all, then impact publish",
    ]


def _create_key(key_file: Path) -> str:
    """A new random key, owner-only from its first byte; an existing key is never replaced.

    Replacing a key gives every person a new pseudonym, so that is left to an administrator.
    """
    if os.environ.get(PSEUDONYM_KEY_ENV):
        return f"pseudonymisation key: {PSEUDONYM_KEY_ENV} is set, so no key file was created"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(key_file.parent, 0o700)
    try:
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return f"pseudonymisation key: kept the existing {key_file} (a new key would re-key people)"
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_hex(MIN_PSEUDONYM_KEY_BYTES) + "\n")
    os.chmod(key_file, 0o600)
    return f"pseudonymisation key: created {key_file} (owner-only; back it up in a secret store)"


def _first_rows(path: Path) -> tuple[list[str], list[str] | None]:
    if not path.is_file():
        return [], None
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    return (rows[0] if rows else []), (rows[1] if len(rows) > 1 else None)


def _first_data_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))[1:]


def _csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _code_of(folder: Path) -> str:
    return "".join(c if c.isalnum() else "_" for c in folder.name.lower()).strip("_") or "org"


def _readme(folder: Path, files: dict[str, tuple[list[str], list[str] | None]]) -> str:
    lines = [
        f"# Catalog of {folder.name}",
        "",
        "Created by `impact init`. The CSV files have their header only (UTF-8, one row per",
        "record), except `organisation.csv` (one row to fill in) and `wave_types.csv` (the four",
        "wave types the pipeline knows). Each example row below comes from",
        "`examples/hataraku_women/`, whose README explains every file. Check the catalog with",
        "`python -m impact_warehouse.catalog --seeds .`.",
        "",
    ]
    for name, (header, example) in files.items():
        lines += [f"## `{name}`", "", "```csv", ",".join(header)]
        if example is not None:
            lines.append(_csv_text([example]).rstrip("\n"))
        lines += ["```", ""]
    return "\n".join(lines)
