"""``impact organisations``: the organisations of one installation, each in its own scope.

``list`` shows each registered organisation's catalog, work folder and current release;
``check`` checks the registry and every organisation's catalog (one unusable organisation is
reported, the others are still checked); ``run CODE -- <command…>`` runs any ``impact``
command as that organisation; ``demo`` runs ``impact demo`` for every organisation, one after
the other, then builds the funder's portfolio over their releases. See
:mod:`impact_warehouse.organisations` for the registry and the scope.

Each organisation runs in a subprocess with :func:`scoped_environment`: nothing of one
organisation's run (keys, folders, recipients) can stay behind in the next one's process.
The demo runs them in sequence because the installation has one embedded Airflow (one
SQLite metadata database, which takes one writer).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from impact_warehouse.organisations import (
    ORGANISATIONS_DIR_ENV,
    Organisation,
    OrganisationError,
    find_organisation,
    installation_work_dir,
    organisation_work_dir,
    registry_dir,
    registry_entries,
    scoped_environment,
    usable_organisations,
)
from impact_warehouse.settings import PROJECT_ROOT

if TYPE_CHECKING:
    from impact_warehouse.publish.releases import Release

# The funder's folder the demo builds its portfolio from (paths relative to .work).
DEMO_FUNDER_FOLDER = PROJECT_ROOT / "examples" / "portfolio"


def add_organisations_parser(commands: argparse._SubParsersAction) -> None:
    organisations = commands.add_parser(
        "organisations",
        help="the organisations of this installation (organisations/ or IMPACT_ORGANISATIONS_DIR)",
    )
    actions = organisations.add_subparsers(
        dest="organisations_command", required=True, metavar="<step>"
    )
    actions.add_parser("list", help="each organisation: catalog, work folder, current release")
    actions.add_parser("check", help="check the registry and every organisation's catalog")
    run = actions.add_parser("run", help="run an impact command as one organisation")
    run.add_argument("code", help="the organisation's code (its folder name)")
    run.add_argument(
        "impact_args",
        nargs=argparse.REMAINDER,
        metavar="-- <command…>",
        help="the impact command and its options, e.g. -- publish --fiscal-year 2025",
    )
    demo = actions.add_parser(
        "demo", help="impact demo for every organisation in turn, then the funder's portfolio"
    )
    demo.add_argument("--only", default=None, metavar="CODE", help="one organisation only")
    demo.add_argument("--as-of", default=None, help="YYYY-MM-DD, passed to impact demo")
    demo.add_argument(
        "--seed", type=int, default=2025, help="the demo data's random seed, passed to impact demo"
    )


def run_organisations(args: argparse.Namespace) -> int:
    try:
        if args.organisations_command == "list":
            return list_organisations()
        if args.organisations_command == "check":
            return check_organisations()
        if args.organisations_command == "run":
            impact_args = list(args.impact_args)
            if impact_args[:1] == ["--"]:
                impact_args = impact_args[1:]
            if not impact_args:
                print("エラー: 実行する impact のコマンドを -- の後に書いてください。")
                return 2
            return run_as(find_organisation(args.code, registry_dir()), impact_args)
        return run_demo_all(args.only, args.as_of, args.seed)
    except OrganisationError as error:
        print(f"エラー: {error}")
        print(f"  (organisation registry {registry_dir()})")
        return 1


def registry_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The installation's environment with the registry named: every organisation run by this
    command belongs to a multi-organisation installation (its DAGs carry its code)."""
    environ = dict(os.environ if environ is None else environ)
    environ[ORGANISATIONS_DIR_ENV] = str(registry_dir(environ))
    return environ


def organisation_environment(organisation: Organisation) -> dict[str, str]:
    return scoped_environment(organisation, registry_environment())


def _current_release_of(code: str) -> tuple[Release | None, str]:
    """The organisation's current release and its id as listed; (None, why) when none is
    current or its records cannot be read (one organisation's damaged records do not stop
    the listing of the others)."""
    from impact_warehouse.publish.releases import current_release

    try:
        release = current_release(organisation_work_dir(code) / "releases")
    except (OSError, ValueError, KeyError, TypeError) as error:
        return None, f"読めません ({type(error).__name__}: {error})"
    return release, release.release_id if release else "(公開中のリリースなし)"


def list_organisations() -> int:
    organisations, unusable = usable_organisations(registry_dir())
    print(f"組織の一覧: {registry_dir()}({len(organisations)} 組織)")
    for problem in unusable:
        print(f"使えない組織フォルダ: {problem}(impact organisations check で確かめてください)")
    for organisation in organisations:
        print(f"{organisation.code}")
        print(f"    カタログ: {organisation.catalog}")
        print(f"    作業フォルダ: {organisation_work_dir(organisation.code)}")
        print(f"    公開中のリリース: {_current_release_of(organisation.code)[1]}")
    return 0


def check_organisations() -> int:
    from impact_warehouse.catalog import load_catalog

    bad = 0
    entries = registry_entries(registry_dir())
    for name, found in entries:
        if isinstance(found, OrganisationError):
            bad += 1
            print(f"NG {name}: {found}")
            continue
        try:
            catalog = load_catalog(found.catalog)
        except (ValueError, OSError) as error:  # CatalogError names the file, row and fix
            bad += 1
            print(f"NG {name}: カタログ {found.catalog} に誤りがあります。")
            print(f"    detail: {type(error).__name__}: {error}")
            continue
        print(f"OK {name}: カタログ {found.catalog}(プログラム {len(catalog.programs)} 件)")
    if bad:
        print(f"{len(entries)} 組織のうち {bad} 組織に直すところがあります。")
        return 1
    print(f"{len(entries)} 組織すべて問題ありません。")
    return 0


def _impact_command(impact_args: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", "impact_warehouse.cli", *impact_args]


def run_as(organisation: Organisation, impact_args: Sequence[str]) -> int:
    """Run ``impact <impact_args>`` in ``organisation``'s scope; its exit code."""
    completed = subprocess.run(
        _impact_command(impact_args), env=organisation_environment(organisation), check=False
    )
    # A command killed by a signal has a negative code, which no shell reads as a failure.
    return completed.returncode if completed.returncode >= 0 else 1


def _run_prefixed(organisation: Organisation, impact_args: Sequence[str]) -> int:
    """Like :func:`run_as`, each line of its output prefixed with ``[code]``."""
    prefix = f"[{organisation.code}] "
    with subprocess.Popen(
        _impact_command(impact_args),
        env=organisation_environment(organisation),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            print(prefix + line, end="", flush=True)
    return process.returncode


def demo_funder_folder(organisations: Sequence[Organisation]) -> Path:
    """The funder's folder for the demo's portfolio.

    ``examples/portfolio`` names the organisations' releases under the checkout's ``.work``;
    an installation working elsewhere (``IMPACT_WORK_DIR``) gets a copy under its work folder
    naming its own organisations' releases.
    """
    shipped = DEMO_FUNDER_FOLDER / "portfolio.csv"
    with shipped.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    wanted = {o.code: (organisation_work_dir(o.code) / "releases").resolve() for o in organisations}
    named = {
        row["organisation_code"]: (DEMO_FUNDER_FOLDER / row["releases_dir"]).resolve()
        for row in rows
    }
    if named == wanted:
        return DEMO_FUNDER_FOLDER
    folder = installation_work_dir() / "portfolio" / "demo_funder"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(DEMO_FUNDER_FOLDER / "common_indicators.csv", folder / "common_indicators.csv")
    with (folder / "portfolio.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["organisation_code", "catalog_dir", "releases_dir", "fiscal_year"])
        years = {row["organisation_code"]: row.get("fiscal_year") or "" for row in rows}
        for organisation in organisations:
            writer.writerow(
                [
                    organisation.code,
                    organisation.catalog,
                    wanted[organisation.code],
                    years.get(organisation.code, ""),
                ]
            )
    return folder


def _print_outputs(organisation: Organisation) -> None:
    work = organisation_work_dir(organisation.code)
    release, listed = _current_release_of(organisation.code)
    print(f"{organisation.code}:")
    if release is None:
        print(f"    公開中のリリース: {listed}")
    else:
        print(f"    公開ファイル: {work / 'published' / 'warehouse.duckdb'}")
        print(f"    リリース: {release.release_id}")
        for report in sorted((work / "reports" / release.release_id).glob("fy*/*.html")):
            print(f"    レポート: {report}")
    print(f"    スタッフへのお知らせ: {work / 'outbox' / 'alerts.jsonl'}")


def run_demo_all(only: str | None, as_of: str | None, seed: int) -> int:
    """``impact demo`` for each organisation in turn (a failure does not stop the next),
    then ``impact portfolio build``; exit 1 if any organisation or the portfolio failed."""
    failed: list[str] = []
    if only is not None:
        organisations = [find_organisation(only, registry_dir())]
    else:
        organisations, unusable = usable_organisations(registry_dir())
        for problem in unusable:
            print(f"==> 使えない組織フォルダ(飛ばします): {problem}", flush=True)
            failed.append(str(problem).split(":", 1)[0])
    demo_args = ["demo", "--seed", str(seed), *(["--as-of", as_of] if as_of else [])]
    for organisation in organisations:
        print(f"==> 組織 {organisation.code}: impact demo", flush=True)
        if _run_prefixed(organisation, demo_args) != 0:
            failed.append(organisation.code)
            print(f"==> 組織 {organisation.code}: デモが失敗しました(次の組織に進みます)")
    portfolio_ok = True
    if only is None:
        folder = demo_funder_folder(organisations)
        print(f"==> ポートフォリオ: impact portfolio build {folder}", flush=True)
        completed = subprocess.run(
            _impact_command(["portfolio", "build", str(folder)]),
            env=registry_environment(),
            check=False,
        )
        portfolio_ok = completed.returncode == 0
    print("==> 結果")
    for organisation in organisations:
        _print_outputs(organisation)
    if only is None:
        state = "" if portfolio_ok else "(作れませんでした)"
        print(f"ポートフォリオ{state}: {installation_work_dir() / 'portfolio'}")
    if failed:
        print(f"エラー: デモが失敗した組織: {', '.join(failed)}")
    return 1 if failed or not portfolio_ok else 0
