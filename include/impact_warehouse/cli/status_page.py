"""``impact status-page``: (re)write the response status page from the audit warehouse.

The warehouse build writes the page after every pull; this command draws it again, e.g. as
of another day (``--as-of``) or after a build made outside Airflow. Same code as the build:
:func:`impact_warehouse.status_page.render_status_page`.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path


def add_status_page_parser(commands: argparse._SubParsersAction) -> None:
    page = commands.add_parser(
        "status-page",
        help="write the response status page (open waves: n/N, target, days left, curves)",
    )
    page.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        help="the day the page shows (YYYY-MM-DD; default: today in the organisation's zone)",
    )
    page.add_argument(
        "--audit-db",
        type=Path,
        default=None,
        help="the warehouse to read (default: the audit warehouse `impact build` writes)",
    )


def run_status_page(as_of: date | None, audit_db: Path | None = None) -> int:
    from impact_warehouse.settings import paths
    from impact_warehouse.status_page import StatusPageError, render_status_page

    try:
        page = render_status_page(
            paths(), audit_db=audit_db or paths().audit_warehouse, as_of=as_of
        )
    except StatusPageError as error:
        print(f"エラー: {error.staff_message}")
        return 1
    except Exception as error:  # a locked warehouse, a broken install: say so, no traceback
        print(
            "エラー: 回答状況のページを作れませんでした。担当エンジニアにこのメッセージを"
            f"伝えてください。({type(error).__name__}: {error})"
        )
        return 1
    print(f"回答状況のページを書きました: {page}")
    return 0
