"""``python -m impact_warehouse.demo.forms_api_server``: serve demo forms from a folder.

Prints the server's URL, serves until SIGINT/SIGTERM. The bearer token comes from an
environment variable (never the command line, where ``ps`` shows it).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from impact_warehouse.demo.forms_api_faults import FaultPlan
from impact_warehouse.demo.forms_api_server import DEFAULT_TOKEN_ENV, FormsApiServer

logger = logging.getLogger("impact_warehouse.demo.forms_api_server")


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m impact_warehouse.demo.forms_api_server",
        description="Serve demo forms and responses over the Google Forms API v1.",
    )
    parser.add_argument(
        "--source-dir", type=Path, required=True, help="folder with forms/, responses/"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument(
        "--token-env",
        default=DEFAULT_TOKEN_ENV,
        help=f"environment variable holding the bearer token (default {DEFAULT_TOKEN_ENV})",
    )
    parser.add_argument("--fail", default="", help="scripted faults, e.g. 429,503,slow,ok")
    parser.add_argument("--retry-after-seconds", type=float, default=1.0)
    parser.add_argument("--slow-seconds", type=float, default=2.0)
    parser.add_argument(
        "--delay-every-request", type=float, default=0.0, help="seconds added to every request"
    )
    parser.add_argument("--visible-until", default=None, help="hide responses submitted later")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    token = os.environ.get(args.token_env)
    if not token:
        print(
            f"error: environment variable {args.token_env} must hold the API token to require",
            file=sys.stderr,
        )
        return 2
    faults = FaultPlan(
        scripted=[item.strip() for item in args.fail.split(",") if item.strip()],
        retry_after_seconds=args.retry_after_seconds,
        slow_seconds=args.slow_seconds,
        delay_every_request=args.delay_every_request,
    )
    server = FormsApiServer(
        args.source_dir,
        host=args.host,
        port=args.port,
        token=token,
        faults=faults,
        visible_until=args.visible_until,
    )
    stop_requested = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop_requested.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    with server:
        print(server.url, flush=True)
        logger.info("Serving forms from %s at %s", args.source_dir, server.url)
        while not stop_requested.wait(0.5):
            pass
    logger.info("Forms API demo server at %s stopped", server.url)
    return 0
