"""Progress lines on long steps: ``==> step`` then ``    done in N s``."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable


def step(message: str) -> Callable[[], None]:
    """Print the step now; call the returned function when it is done."""
    print(f"==> {message}", flush=True)
    started = time.monotonic()

    def done() -> None:
        print(f"    done in {time.monotonic() - started:.1f} s", flush=True)

    return done


def fail(message_ja: str, detail: str | None = None) -> int:
    """A staff-facing error: the Japanese sentence, then the technical detail; exit code 1."""
    print(f"エラー: {message_ja}", file=sys.stderr)
    if detail:
        print(f"  detail: {detail}", file=sys.stderr)
    return 1


def fail_with_causes(
    headline_ja: str, causes: list[tuple[str, str, str]], footer: str | None = None
) -> int:
    """A failure with its causes (where, Japanese sentence, technical detail): the Japanese
    first, each detail under it; exit code 1. One cause becomes the headline itself."""
    if len(causes) == 1:
        where, message_ja, detail = causes[0]
        print(f"エラー: {message_ja}", file=sys.stderr)
        print(f"  ({headline_ja} 失敗した処理: {where})", file=sys.stderr)
        print(f"  detail: {detail}", file=sys.stderr)
    else:
        suffix = f" 原因は次の{len(causes)}件です。" if causes else ""
        print(f"エラー: {headline_ja}{suffix}", file=sys.stderr)
        for where, message_ja, _detail in causes:
            print(f"  ・{message_ja}({where})", file=sys.stderr)
        for where, _message_ja, detail in causes:
            print(f"  detail ({where}): {detail}", file=sys.stderr)
    if footer:
        print(f"  {footer}", file=sys.stderr)
    return 1


def quiet_library_logs(verbose: bool = False) -> None:
    """Only warnings from the libraries: the progress lines are the command's output.

    Airflow's logging setup (imported for connections and variables) sends INFO to stdout.
    """
    level = logging.INFO if verbose else logging.WARNING
    for name in ("impact_warehouse", "great_expectations", "airflow", "dbt", "httpx"):
        logging.getLogger(name).setLevel(level)


def refuse_outside_organisation() -> bool:
    """True, having said why, when the installation serves a registry of organisations and
    no organisation's scope is active: a data command would otherwise run on folders, a key
    and a catalog that are no organisation's."""
    from impact_warehouse.organisations import current_organisation_code, multi_organisation

    if not multi_organisation() or current_organisation_code() is not None:
        return False
    fail(
        "組織が複数登録されています(IMPACT_ORGANISATIONS_DIR)。どの組織の処理かを"
        "指定してください: impact organisations run <組織コード> -- <コマンド>",
        "IMPACT_ORGANISATIONS_DIR is set but no organisation's scope is active "
        "(IMPACT_ORGANISATION unset): the DAGs are impact_ingest__<code> etc.",
    )
    return True
