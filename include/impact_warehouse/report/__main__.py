"""``python -m impact_warehouse.report --fiscal-year 2025 [--release-id ID] [--out DIR]``
(``--final``: the narrative for readers, see narrative.py; ``--pdf``: also the PDF, pdf.py;
``--lang en``: in English, i18n.py)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from impact_warehouse.report.data import FiscalYearMissingError
from impact_warehouse.report.fonts import FontMissingError
from impact_warehouse.report.narrative import NarrativeError
from impact_warehouse.report.pdf import ChromiumMissingError
from impact_warehouse.report.release import ReleaseNotFoundError
from impact_warehouse.report.render import render_report
from impact_warehouse.settings import paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m impact_warehouse.report",
        description="Render the impact report (HTML, CSV, XLSX) from a published release.",
    )
    parser.add_argument("--fiscal-year", type=int, required=True)
    parser.add_argument("--release-id", help="a release id (default: the current release)")
    parser.add_argument("--out", type=Path, help="output folder (default: <work>/reports/…)")
    parser.add_argument(
        "--final", action="store_true", help="omit missing narrative blocks, refuse unknown figures"
    )
    parser.add_argument("--pdf", action="store_true", help="also print the report to PDF")
    parser.add_argument("--lang", choices=("ja", "en"), default="ja", help="report language")
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    try:
        report = render_report(
            arguments.fiscal_year,
            release_id=arguments.release_id,
            out_dir=arguments.out,
            settings=paths(),
            final=arguments.final,
            pdf=arguments.pdf,
            lang=arguments.lang,
        )
    except (
        ReleaseNotFoundError,
        FiscalYearMissingError,
        FontMissingError,
        NarrativeError,
        ChromiumMissingError,
    ) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(report.as_dict(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
