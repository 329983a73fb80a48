"""A real ingest in its own process, for the fault suite (run as a script, not collected).

It runs the same sequence as the ``impact_ingest`` DAG (operations, panels, then every planned
Forms wave) against a Forms API URL and prints the unit summaries as one JSON line. Optional:
``--go-file`` waits until that file exists (two workers start together); ``--kill`` SIGKILLs
this process at an exact point of the landing protocol: ``<when>:<glob>:<n>`` where the glob
matches the destination path of ``os.replace``, e.g. ``after:*/responses/*.keys:3`` = right
after the 3rd sidecar of a responses part, ``before:*/responses/*.jsonl:2`` = just before the
2nd part's rename (its temporary is left behind), so every crash window is reached on purpose.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import signal
import sys
import time
from datetime import date
from pathlib import Path

from impact_warehouse.catalog import load_catalog
from impact_warehouse.pipeline import ingest
from impact_warehouse.settings import Settings
from impact_warehouse.sources.google_forms import FormsApiConfig

AS_OF = date(2026, 11, 23)


def install_kill(spec: str) -> None:
    when, pattern, count_text = spec.split(":")
    target = int(count_text)
    real_replace = os.replace
    seen = 0

    def replace(source, destination, *args, **kwargs):
        nonlocal seen
        if fnmatch.fnmatch(os.fspath(destination), pattern):
            seen += 1
            if seen == target and when == "before":
                os.kill(os.getpid(), signal.SIGKILL)
            real_replace(source, destination, *args, **kwargs)
            if seen == target and when == "after":
                os.kill(os.getpid(), signal.SIGKILL)
            return None
        return real_replace(source, destination, *args, **kwargs)

    os.replace = replace


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--inbox", type=Path, required=True)
    parser.add_argument("--landing", type=Path, default=None)
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--page-size", type=int, default=25)
    parser.add_argument("--wave", default=None, help="only this Forms wave")
    parser.add_argument("--go-file", type=Path, default=None)
    parser.add_argument("--kill", default=None)
    args = parser.parse_args()

    settings = Settings.for_work_dir(args.work, args.inbox)
    if args.landing is not None:
        settings = Settings(**{**settings.__dict__, "landing": args.landing})
    if args.go_file is not None:
        print("ready", file=sys.stderr, flush=True)
        while not args.go_file.exists():
            time.sleep(0.01)
    if args.kill:
        install_kill(args.kill)
    config = FormsApiConfig(
        base_url=args.url, token=args.token, page_size=args.page_size, backoff_base_seconds=0.01
    )
    if args.wave:
        units = [ingest.land_form_wave(settings, args.wave, config)]
    else:
        waves = ingest.plan_form_waves(load_catalog(), AS_OF, AS_OF, as_of=AS_OF, all_waves=True)
        units = [*ingest.land_operations(settings), *ingest.land_panels(settings)]
        units += [ingest.land_form_wave(settings, wave, config) for wave in waves]
    print(json.dumps(units, ensure_ascii=False, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
