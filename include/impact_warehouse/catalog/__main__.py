"""``python -m impact_warehouse.catalog``: validate the catalog seeds and say what they hold.

Run it after editing any CSV under ``dbt_project/seeds/``: it fails (exit code 1, no
traceback) with a Japanese sentence saying which file and line, then the English detail with
the fix; or lists the programs, cohorts and waves per fiscal year it read.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from impact_warehouse.catalog.model import Catalog, CatalogError, load_catalog
from impact_warehouse.catalog.targets import load_targets
from impact_warehouse.catalog.translations import untranslated_cells
from impact_warehouse.catalog.voices import load_voices
from impact_warehouse.settings import catalog_dir


def describe(catalog: Catalog) -> str:
    waves_by_year: dict[int, list[str]] = defaultdict(list)
    for wave in sorted(catalog.waves.values(), key=lambda wave: (wave.open_date, wave.wave_code)):
        window = f"{wave.open_date:%Y-%m-%d}〜{wave.close_date:%Y-%m-%d}"
        waves_by_year[wave.fiscal_year].append(f"    {wave.wave_code} ({window})")
    cohorts_by_year: dict[int, list[str]] = defaultdict(list)
    for cohort in sorted(catalog.cohorts.values(), key=lambda cohort: cohort.cohort_code):
        cohorts_by_year[cohort.fiscal_year].append(cohort.cohort_code)
    lines = [
        f"catalog OK: {len(catalog.programs)} programs, {len(catalog.cohorts)} cohorts, "
        f"{len(catalog.waves)} waves, {len(catalog.items)} items, "
        f"{len(catalog.indicators)} indicators, {len(catalog.covariates)} covariates"
    ]
    for fiscal_year in sorted(set(waves_by_year) | set(cohorts_by_year)):
        lines.append(f"  FY{fiscal_year}: cohorts {', '.join(cohorts_by_year[fiscal_year])}")
        lines.extend(waves_by_year[fiscal_year])
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m impact_warehouse.catalog",
        description="Validate the catalog seeds (dbt_project/seeds/*.csv).",
    )
    parser.add_argument("--seeds", type=Path, default=None, help="default: the project's seeds")
    args = parser.parse_args(argv)
    try:
        catalog = load_catalog(args.seeds)
        targets = load_targets(catalog, args.seeds)
        voices = load_voices(catalog, args.seeds)
    except CatalogError as error:
        where = error.file_name or "dbt_project/seeds/*.csv"
        if error.line:
            where = f"{where} の {error.line} 行目"
        print(
            f"エラー: カタログに誤りがあります({where})。下の説明に従って直し、"
            "もう一度このコマンドで確認してください。",
            file=sys.stderr,
        )
        print(f"catalog error: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # a seed folder that cannot be read
        print(f"エラー: カタログのファイルを読めません: {error.filename}", file=sys.stderr)
        print(f"catalog error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(describe(catalog))
    print(f"  indicator targets: {len(targets)}")
    print(english_note(args.seeds))
    print(
        f"  voices: {len(voices.categories)} categories, {len(voices.manual_codes)} manual "
        f"codes, {len(voices.quotes)} selected quotes"
    )
    return 0


def english_note(seed_dir: Path | None) -> str:
    """How many labels have no English (a note: the English report lists and marks them)."""
    gaps = untranslated_cells(seed_dir or catalog_dir())
    if not gaps:
        return "  English labels: complete (impact report --lang en)"
    files = sorted({file_name for file_name, _, _ in gaps})
    return (
        f"  English labels: {len(gaps)} missing in {', '.join(files)}"
        " (optional; impact report --lang en lists them)"
    )


if __name__ == "__main__":
    sys.exit(main())
