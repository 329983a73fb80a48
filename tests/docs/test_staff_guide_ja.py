"""The Japanese staff guide (docs/ja/staff_guide.md), followed literally.

Every ``bash`` block between the walk-through markers runs in order in a copy of the
repository: a new wave is added and checked, the demo plays 20 December 2026 (the FY2026
post-survey open), then the status page, a reminder list and the status listing are made
exactly as the guide says. What the guide promises must then be true.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from impact_warehouse.settings import PROJECT_ROOT
from walkthrough import copy_checkout, run_walkthrough, walkthrough_script

GUIDE = Path("docs/ja/staff_guide.md")
OPEN_WAVE = "mamabono_2026_post"


def guide_script(checkout: Path) -> str:
    return walkthrough_script((checkout / GUIDE).read_text(encoding="utf-8"), min_blocks=7)


def test_guide_commands_follow_the_staff_workflow_in_order() -> None:
    script = guide_script(PROJECT_ROOT)
    order = [
        "waves.csv",
        "impact_warehouse.catalog",
        "impact demo --as-of",
        "impact status-page",
        "impact reminders --wave",
        "impact status\n",
    ]
    positions = [script.index(marker) for marker in order]
    assert positions == sorted(positions)


def test_guide_links_resolve() -> None:
    guide = PROJECT_ROOT / GUIDE
    assert (guide.parent / "../../README.md").resolve().is_file()


# `impact demo` runs both DAGs and the reports in a subprocess with its own bound.
@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_following_the_staff_guide_gives_what_it_promises(tmp_path: Path) -> None:
    checkout = copy_checkout(PROJECT_ROOT, tmp_path / "checkout")
    result = run_walkthrough(checkout, guide_script(checkout), timeout=900)
    output = result.stdout + result.stderr
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "catalog OK" in result.stdout and "mamabono_2027_pre" in result.stdout

    work = checkout / ".work"
    with duckdb.connect(str(work / "published/warehouse.duckdb"), read_only=True) as release:
        responded, targeted = release.execute(
            "select responded, targeted from marts.fct_response_rates "
            "where wave_code = ? and breakdown_level = 'all'",
            [OPEN_WAVE],
        ).fetchone()
    assert 0 < responded < targeted, "the guide's day is inside the window, answers coming in"

    # 2. The status page is where the guide says, offline, with the open wave's n/N on it.
    page = (work / "staff/response_status/index.html").read_text(encoding="utf-8")
    assert f"{responded} / {targeted}" in page
    assert f"impact reminders --wave {OPEN_WAVE}" in page
    assert "http://" not in page and "https://" not in page

    # 3. One reminder list inside the vault, recorded in the audit log under the given name;
    #    the screen shows the count and the path, never an address.
    lists = sorted((work / "vault/reminders" / OPEN_WAVE).glob("*.csv"))
    assert len(lists) == 1
    with lists[0].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == targeted - responded, "exactly the participants yet to answer"
    assert all("@" in "".join(row.values()) for row in rows)
    addresses = {value for row in rows for value in row.values() if "@" in value}
    assert not any(address in output for address in addresses)
    audit = [
        json.loads(line)
        for line in (work / "vault/reminders/audit.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert len(audit) == 1 and audit[0]["who"] == "山田" and audit[0]["count"] == len(rows)
    # 5. The alert the guide's table names carries the command to run for this wave.
    outbox = [
        json.loads(line)
        for line in (work / "outbox/alerts.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    warnings = [r for r in outbox if "注意:アンケートの回答率" in r["subject"]]
    assert any(f"impact reminders --wave {OPEN_WAVE}" in r["body"] for r in warnings)

    # The list stays in the vault: nowhere analysts, report readers or staff pages look.
    for readable in ("published", "releases", "reports", "staff", "outbox", "landing"):
        folder = work / readable
        if folder.exists():
            assert not any(lists[0].name == path.name for path in folder.rglob("*.csv"))
