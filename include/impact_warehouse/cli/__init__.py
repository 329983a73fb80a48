"""Command-line entry point: ``impact <command>`` for the common jobs.

Pipeline: ``demo`` (both DAGs on the embedded Airflow), ``pull`` (ingest now), ``build``,
``publish``, ``backfill`` (the jobs of :mod:`impact_warehouse.pipeline`, in this process).
Reading: ``releases``, ``status``, ``report``. Setup: ``init``, ``airflow-env``.
Staff follow-up: ``status-page``, ``reminders``. Funders: ``portfolio``.
Many organisations: ``organisations list|check|run|demo``; analysts on PostgreSQL:
``publish-postgres``. Repair: ``verify``.
"""

from __future__ import annotations

import argparse
import logging
import re
import shlex
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from impact_warehouse.cli.analyst_access import add_analyst_access_parser
from impact_warehouse.cli.organisations import add_organisations_parser
from impact_warehouse.cli.portfolio import add_portfolio_parser
from impact_warehouse.cli.progress import fail, quiet_library_logs
from impact_warehouse.cli.reminders import add_reminders_parser
from impact_warehouse.cli.status_page import add_status_page_parser
from impact_warehouse.cli.verify import add_verify_parser
from impact_warehouse.orchestration.airflow_env import airflow_environment
from impact_warehouse.publish.files import DamagedRecordError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="impact", description=plain_text(__doc__ or ""))
    parser.add_argument("-v", "--verbose", action="store_true", help="show library INFO logs")
    commands = parser.add_subparsers(dest="command", required=True, metavar="<command>")
    # In this order in `impact --help`: the pipeline, reading releases, staff, setup, the rest.
    _add_pull_parser(commands)
    _add_publish_parsers(commands)
    _add_report_parser(commands)
    _add_release_parsers(commands)
    add_status_page_parser(commands)
    _add_setup_parsers(commands)
    add_verify_parser(commands)
    add_reminders_parser(commands)
    add_portfolio_parser(commands)
    add_organisations_parser(commands)
    add_analyst_access_parser(commands)
    return parser


SEED_HELP = "the demo data's random seed: the same seed gives the same data (default 2025)"


def plain_text(docstring: str) -> str:
    """A docstring as ``--help`` shows it: reStructuredText roles and literals as plain words
    (``:mod:`x``` → x, ````x```` → x)."""
    return re.sub(r":\w+:`~?([^`]+)`", r"\1", docstring).replace("``", "")


def _add_pull_parser(commands: argparse._SubParsersAction) -> None:
    """demo and pull: data into the landing zone."""
    demo = commands.add_parser("demo", help="generate demo data and run the pipeline end to end")
    demo.add_argument("--as-of", type=date.fromisoformat, default=None, help="default: today")
    demo.add_argument("--seed", type=int, default=2025, help=SEED_HELP)

    pull = commands.add_parser(
        "pull", help="ingest now, in this process (waves open in the last month)"
    )
    pull.add_argument(
        "--all",
        dest="scope",
        action="store_const",
        const="all",
        default="interval",
        help="every wave that has opened, not only those open in the last month",
    )
    pull.add_argument(
        "--fiscal-year", type=int, default=None, help="only the waves of this fiscal year"
    )
    pull.add_argument("--program", default=None, help="program_code, e.g. mamabono")
    pull.add_argument(
        "--wave", default=None, help="wave_code, e.g. mamabono_2025_post (whatever its window)"
    )
    pull.add_argument(
        "--month", default=None, help="YYYY-MM: (re-)run the scheduled run of that month"
    )
    pull.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        help="the day the run acts on: waves opened by then (default: today)",
    )


def _add_publish_parsers(commands: argparse._SubParsersAction) -> None:
    """build, publish, backfill: the warehouse and its releases."""
    commands.add_parser("build", help="build the warehouse from the landing zone (dbt build)")

    publish = commands.add_parser(
        "publish", help="build, run the quality gate, publish a release if it passes"
    )
    publish.add_argument(
        "--fiscal-year",
        type=int,
        default=None,
        help="default: the fiscal year of the latest closed survey",
    )
    publish.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        help="the date the gate judges survey windows by (default: today)",
    )
    publish.add_argument(
        "--without-approval",
        action="store_true",
        help="publish although organisation.csv asks for approval in Airflow (release_approval)",
    )

    backfill = commands.add_parser(
        "backfill", help="land every wave of a range of fiscal years, then publish once"
    )
    backfill.add_argument(
        "--from-fy", type=int, required=True, help="the first fiscal year to land, e.g. 2022"
    )
    backfill.add_argument(
        "--to-fy", type=int, required=True, help="the last fiscal year to land (included)"
    )
    backfill.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        help="default: today (waves not yet open are skipped)",
    )
    backfill.add_argument(
        "--no-publish",
        dest="publish",
        action="store_false",
        help="only land; publish later with `impact publish`",
    )


def _add_report_parser(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser("report", help="render the annual report from a release")
    report.add_argument(
        "--fiscal-year",
        type=int,
        required=True,
        help="the fiscal year the report covers, named by the year it starts in (e.g. 2025)",
    )
    report.add_argument(
        "--release", default=None, help="release id or unique prefix (default: the current one)"
    )
    report.add_argument(
        "--out-dir",
        type=Path,
        default=None,
        help="folder for the HTML, CSV and Excel files (default: <work>/reports/<release>/fy<FY>)",
    )
    report.add_argument(
        "--final",
        action="store_true",
        help="for readers: leave out missing narrative blocks, refuse unknown figure references"
        " (default: draft, with visible placeholders)",
    )
    report.add_argument(
        "--pdf", action="store_true", help="also print the report to PDF (headless Chromium)"
    )
    report.add_argument(
        "--lang",
        choices=("ja", "en"),
        default="ja",
        help="report language (default ja); en lists the labels with no English in an appendix",
    )


# A reason is a sentence or two in the history and the staff's alert, not a document.
LONGEST_ARGV_TEXT = 1_000


def argv_text(value: str) -> str:
    """Free text from the command line as it is recorded: bytes that are not UTF-8 (a terminal
    in another encoding; Python hands them over as lone surrogates, which no UTF-8 file or
    alert can hold) become U+FFFD, and a text longer than a few sentences is refused."""
    text = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if len(text) > LONGEST_ARGV_TEXT:
        raise argparse.ArgumentTypeError(
            f"{LONGEST_ARGV_TEXT} 文字までにしてください({len(text)} 文字あります)"
        )
    return text


def _add_release_parsers(commands: argparse._SubParsersAction) -> None:
    """releases, status: what was published and how the gate judged it."""
    releases = commands.add_parser("releases", help="list releases; * marks the current one")
    releases.add_argument(
        "--make-current",
        metavar="ID",
        default=None,
        help="serve this earlier release to analysts again (id or unique prefix; alerts staff)",
    )
    releases.add_argument(
        "--reason", type=argv_text, default=None, help="why, recorded with --make-current"
    )
    status = commands.add_parser(
        "status", help="the latest quality-gate run, then the current release (in Japanese)"
    )
    status.add_argument(
        "--release", default=None, help="show how the gate judged this release (id or prefix)"
    )


def _add_setup_parsers(commands: argparse._SubParsersAction) -> None:
    """init, airflow-env: a new organisation, the embedded Airflow's environment."""
    init = commands.add_parser(
        "init", help="start a new organisation: an empty catalog folder and a pseudonym key"
    )
    init.add_argument("folder", type=Path, help="the new catalog folder (must not exist)")
    commands.add_parser("airflow-env", help="print the embedded Airflow environment as exports")


# Commands that work on one organisation's folders: with a registry, only inside its scope.
ORGANISATION_COMMANDS = frozenset(
    {"demo", "pull", "build", "publish", "backfill", "report", "releases", "status"}
    | {"status-page", "reminders", "verify"}
)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in ORGANISATION_COMMANDS:
        from impact_warehouse.cli.progress import refuse_outside_organisation

        if refuse_outside_organisation():
            return 1
    if args.command in ("pull", "build", "publish", "backfill", "report"):
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        quiet_library_logs(verbose=args.verbose)
    handler = _COMMANDS.get(args.command)
    if handler is None:
        return 2
    try:
        return handler(args)
    except DamagedRecordError as error:
        # A release record, gate run or CURRENT edited by hand or damaged on disk.
        return fail(error.message_ja, str(error))


# Each command's module is imported when the command runs: `impact --help` stays fast and a
# command never pays for another's dependencies (dbt, Airflow, plotting).


def _demo(args: argparse.Namespace) -> int:
    from impact_warehouse.cli.airflow_runs import run_demo

    return run_demo(args.as_of, args.seed)


def _pull(args: argparse.Namespace) -> int:
    from impact_warehouse.cli.pipeline import run_pull

    return run_pull(
        scope=args.scope,
        fiscal_year=args.fiscal_year,
        program=args.program,
        wave=args.wave,
        month=args.month,
        as_of=args.as_of,
    )


def _build(args: argparse.Namespace) -> int:
    from impact_warehouse.cli.pipeline import run_build

    return run_build()


def _publish(args: argparse.Namespace) -> int:
    from impact_warehouse.cli.pipeline import run_publish

    return run_publish(args.fiscal_year, args.as_of, without_approval=args.without_approval)


def _backfill(args: argparse.Namespace) -> int:
    from impact_warehouse.cli.pipeline import run_backfill

    return run_backfill(args.from_fy, args.to_fy, args.as_of, args.publish)


def _report(args: argparse.Namespace) -> int:
    from impact_warehouse.cli.releases import run_report

    return run_report(
        args.fiscal_year,
        args.release,
        args.out_dir,
        final=args.final,
        pdf=args.pdf,
        lang=args.lang,
    )


def _releases(args: argparse.Namespace) -> int:
    from impact_warehouse.cli.releases import run_releases

    return run_releases(args.make_current, args.reason)


def _status(args: argparse.Namespace) -> int:
    from impact_warehouse.cli.status import run_status

    return run_status(args.release)


def _status_page(args: argparse.Namespace) -> int:
    from impact_warehouse.cli.status_page import run_status_page

    return run_status_page(args.as_of, args.audit_db)


def _verify(args: argparse.Namespace) -> int:
    from impact_warehouse.cli.verify import run_verify

    return run_verify(args.repair, args.lock_timeout)


def _reminders(args: argparse.Namespace) -> int:
    from impact_warehouse.cli.reminders import run_reminders

    return run_reminders(args.wave, args.cohort, args.as_of, args.by, args.audit_db)


def _portfolio(args: argparse.Namespace) -> int:
    from impact_warehouse.cli.portfolio import run_portfolio

    return run_portfolio(args)


def _organisations(args: argparse.Namespace) -> int:
    from impact_warehouse.cli.organisations import run_organisations

    return run_organisations(args)


def _init(args: argparse.Namespace) -> int:
    from impact_warehouse.cli.init_catalog import init_catalog

    try:
        lines = init_catalog(args.folder)
    except FileExistsError as error:
        print(f"エラー: {args.folder} はすでにあります。新しいフォルダ名を指定してください。")
        print(f"  {error}")
        return 1
    print("\n".join(lines))
    return 0


def _airflow_env(args: argparse.Namespace) -> int:
    try:
        environment = airflow_environment()
    except ValueError as error:  # printed to stderr: nothing for `eval` to run
        return fail("AIRFLOW__API__PORT にはポート番号(1〜65535)を指定してください。", str(error))
    for name, value in environment.items():
        print(f"export {name}={shlex.quote(value)}")  # safe for eval whatever the value
    return 0


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "demo": _demo,
    "pull": _pull,
    "build": _build,
    "publish": _publish,
    "backfill": _backfill,
    "report": _report,
    "releases": _releases,
    "status": _status,
    "status-page": _status_page,
    "verify": _verify,
    "reminders": _reminders,
    # publish-postgres: its sub-commands set their own handler (cli/analyst_access).
    "publish-postgres": lambda args: args.handler(args),
    "portfolio": _portfolio,
    "organisations": _organisations,
    "init": _init,
    "airflow-env": _airflow_env,
}


if __name__ == "__main__":
    sys.exit(main())
