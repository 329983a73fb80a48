"""Command line: write the demo sources.

python -m impact_warehouse.demo.generate --out .work/demo_sources [--seed 2025]
    [--as-of 2026-11-23] [--scale 1] [--catalog examples/hataraku_women]

The catalog (default: IMPACT_CATALOG_DIR, else dbt_project/seeds) picks the generator.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from impact_warehouse.demo.sources import generate_for_catalog


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m impact_warehouse.demo.generate",
        description="Write deterministic demo sources (forms, responses, panel, operations).",
    )
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--seed", type=int, default=2025, help="random seed (default 2025)")
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        help="write the sources as they stand on this day, YYYY-MM-DD (default today)",
    )
    parser.add_argument(
        "--scale", type=int, default=1, help="multiply every cohort and the panel (default 1)"
    )
    parser.add_argument(
        "--catalog", type=Path, default=None, help="catalog folder (default: the configured one)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    started = time.perf_counter()
    manifest = generate_for_catalog(
        args.out, seed=args.seed, as_of=args.as_of, scale=args.scale, catalog_dir=args.catalog
    )
    elapsed = time.perf_counter() - started
    print(
        f"Wrote {len(manifest['files'])} files to {args.out} "
        f"(seed {manifest['seed']}, as of {manifest['as_of']}, scale {manifest['scale']}, "
        f"{len(manifest['dirt'])} dirt records) in {elapsed:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
