"""``impact portfolio``: compare organisations on the funder's common indicators.

``check FOLDER`` reads the funder's folder and every organisation's mapping and current
release and says what is wrong (in Japanese), writing nothing; ``build FOLDER`` then writes a
new portfolio release with its report under ``<work>/portfolio/releases/``; ``report``
writes the current portfolio's report again beside the releases (``<work>/portfolio/reports/``;
``--out`` elsewhere), never into a release. See
:mod:`impact_warehouse.portfolio`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from impact_warehouse.portfolio.definitions import Portfolio


def add_portfolio_parser(commands: argparse._SubParsersAction) -> None:
    portfolio = commands.add_parser(
        "portfolio", help="compare organisations on common indicators, from their releases"
    )
    actions = portfolio.add_subparsers(dest="portfolio_command", required=True, metavar="<step>")
    for name, help_text in (
        ("check", "check the portfolio files, the mappings and each current release"),
        ("build", "write a new portfolio release and its report from the current releases"),
    ):
        action = actions.add_parser(name, help=help_text)
        action.add_argument(
            "folder", type=Path, help="the funder's folder (common_indicators.csv, portfolio.csv)"
        )
    report = actions.add_parser("report", help="write the current portfolio's report again")
    report.add_argument(
        "--out",
        type=Path,
        default=None,
        help="default: <work>/portfolio/reports/<portfolio id>.html (a release is never rewritten)",
    )


def run_portfolio(args: argparse.Namespace) -> int:
    import duckdb

    from impact_warehouse.portfolio import (
        PortfolioError,
        build_portfolio,
        portfolio_releases_dir,
        read_portfolio,
    )
    from impact_warehouse.publish.files import DamagedRecordError
    from impact_warehouse.publish.lock import PublishBusyError
    from impact_warehouse.settings import paths

    releases_dir = portfolio_releases_dir(paths())
    try:
        if args.portfolio_command == "report":
            return _write_current_report(releases_dir, args.out)
        portfolio = read_portfolio(args.folder)
        if args.portfolio_command == "check":
            return _print_checked_sources(portfolio)
        release = build_portfolio(portfolio, releases_dir)
    except PortfolioError as error:
        print(f"エラー: {error.message_ja}")
        print(f"  ({error})")
        return 1
    except PublishBusyError as error:
        print(f"エラー: {error.staff_message}")
        return 1
    except DamagedRecordError:
        raise  # the CLI names the damaged record file and what to do (cli.main)
    except (OSError, ValueError, TypeError, KeyError, duckdb.Error) as error:
        # A release another party made can be unreadable in ways no check above names
        # (a damaged release.json, a locked or older file): a sentence, not a traceback.
        print(
            "エラー: 団体のリリースを読めなかったため、ポートフォリオを作れませんでした。"
            "下の詳細をシステム担当者に伝えてください。"
        )
        print(f"  ({type(error).__name__}: {error})")
        return 1
    print(f"ポートフォリオ {release.portfolio_id} を作りました: {release.directory}")
    for source in release.sources:
        print(f"  {source.organisation_code}: リリース {source.release_id}")
    print(f"レポート: {release.report_path}")
    return 0


def _write_current_report(releases_dir: Path, out: Path | None) -> int:
    """``report``: the current portfolio's report written again, beside the releases."""
    from impact_warehouse.portfolio import current_portfolio
    from impact_warehouse.portfolio.report import write_report

    current = current_portfolio(releases_dir)
    if current is None:
        print(
            "エラー: ポートフォリオがまだありません。"
            "先に impact portfolio build を実行してください。"
        )
        return 1
    # A listed portfolio release stays as it was built: the new copy goes beside it.
    default_out = releases_dir.parent / "reports" / f"{current.portfolio_id}.html"
    target = write_report(
        current.database_path,
        out or default_out,
        portfolio_id=current.portfolio_id,
    )
    print(f"ポートフォリオのレポートを書きました: {target}")
    return 0


def _print_checked_sources(portfolio: Portfolio) -> int:
    """``check``: each organisation's current release and its common figures, writing nothing."""
    from impact_warehouse.portfolio.build import collect_sources

    collected = collect_sources(portfolio)
    for source, figures in collected:
        print(
            f"OK {source.organisation.organisation_code}: リリース "
            f"{source.release.release_id}、共通指標 {len(figures)} 件"
        )
    return 0
