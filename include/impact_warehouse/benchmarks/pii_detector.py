"""The personal-data detector is linear in the text length: 1 MB takes about 10× 100 KB.

Each input is built to hurt a backtracking scanner: long runs an email pattern reads then
gives back, at-signs and dots with no address, digit groups that almost make a phone number,
block numbers with no place before them, kanji that start roster names. A quadratic scanner
shows a ratio near 100 between the two sizes (the landing regexes this detector replaced took
about an hour on 1 MB); a linear one near 10. Printed, never asserted (README: benchmarks).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from impact_warehouse.personal_data import RosterNames, find_personal_data

ROSTER = RosterNames(
    [
        f"{family} {given}"
        for family in ("原田", "佐藤", "鈴木", "高橋", "田中", "伊藤")
        for given in ("真由美", "花子", "美咲", "陽子", "恵", "翼")
    ]
)

HOSTILE: dict[str, Callable[[int], str]] = {
    "letters, no @": lambda size: "a" * size,
    "local part, dots": lambda size: ("a." * size)[:size],
    "@ after every word": lambda size: ("ab@" * size)[:size],
    "domain with no TLD": lambda size: ("x@" + "a-" * size)[:size],
    "spelled at/dot": lambda size: ("a (at) b (dot) " * size)[:size],
    "word at, spaces": lambda size: ("a at b dot " * size)[:size],
    "digits and dashes": lambda size: ("0-" * size)[:size],
    "digit groups": lambda size: ("090 1 " * size)[:size],
    "full-width digits": lambda size: ("０９０ー" * size)[:size],
    "block numbers": lambda size: ("1-2-" * size)[:size],
    "places then numbers": lambda size: ("横浜市" * (size // 3 - 1) + "1-2")[:size],
    "roster kanji": lambda size: ("原田佐藤鈴木" * size)[:size],
    "spaces": lambda size: " " * size,
    "japanese prose": lambda size: (
        "原田さんは2025年10月に横浜市で1.5時間、¥1,000の講座を受けた。" * size
    )[:size],
    "mixed real data": lambda size: (
        "mayumi.harada(at)example.jp ０９０ー1428ー5063 〒123-4567 東京都港区芝公園4丁目2-8 " * size
    )[:size],
}


def seconds(text: str, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        find_personal_data(text, names=ROSTER)
        best = min(best, time.perf_counter() - started)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=100_000, help="characters")
    parser.add_argument("--large", type=int, default=1_000_000, help="characters")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    ratio_expected = args.large / args.small
    print(
        f"{'input':24} {args.small:>10,} ch s {args.large:>10,} ch s {'ratio':>7} "
        f"(linear ≈ {ratio_expected:.0f})"
    )
    worst = 0.0
    for label, build in HOSTILE.items():
        small = seconds(build(args.small), args.repeats)
        large = seconds(build(args.large), args.repeats)
        ratio = large / small if small else float("inf")
        worst = max(worst, ratio)
        print(f"{label:24} {small:>15.4f} {large:>15.4f} {ratio:>7.1f}")
    print(
        f"largest ratio: {worst:.1f} (linear ≈ {ratio_expected:.0f}, quadratic ≈ "
        f"{ratio_expected**2:.0f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
