"""``impact verify``: check the landing zone against its manifests and repair what can be.

Exit status 0 when nothing is wrong or everything found was repaired, 1 when a problem is
left for a person (the output says which file and what to do).
"""

from __future__ import annotations

import argparse

from impact_warehouse.landing.lock import LandingBusyError
from impact_warehouse.landing.verify import verify_landing
from impact_warehouse.landing.verify_report import format_report
from impact_warehouse.settings import paths


def add_verify_parser(commands: argparse._SubParsersAction) -> None:
    verify = commands.add_parser(
        "verify",
        help="check landing files (parts, key sidecars, manifests) and repair what can be",
    )
    verify.add_argument(
        "--check",
        dest="repair",
        action="store_false",
        help="only report; change nothing",
    )
    verify.add_argument(
        "--lock-timeout",
        type=float,
        default=None,
        help="seconds to wait for a running ingest (default: IMPACT_LANDING_LOCK_TIMEOUT)",
    )


def run_verify(repair: bool, lock_timeout: float | None) -> int:
    try:
        report = verify_landing(paths(), repair=repair, timeout=lock_timeout)
    except LandingBusyError as busy:
        print(busy.staff_message)
        return 1
    print(format_report(report, repair=repair))
    return 1 if report.unrepaired else 0
