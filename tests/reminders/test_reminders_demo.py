"""``impact reminders`` on the demo warehouse: exactly the non-respondents, and the list never
leaves the vault through a whole gate → publish → report run.

The demo lands every wave complete, so a window is judged with ``as_of`` inside it: who has
not answered by then is who never answered. The expectation is built from the landing files
and the vault directly (roster rows of the targeted cohorts minus the landed responses), not
from the warehouse tables the command reads.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest

from impact_warehouse.catalog import load_catalog
from impact_warehouse.landing.forms_definition import SOURCE as FORMS_SOURCE
from impact_warehouse.landing.roster_index import roster_dir
from impact_warehouse.landing.store import PartitionStore
from impact_warehouse.reminders import NOT_ANSWERED, ReminderExport, create_reminder_list
from impact_warehouse.settings import Settings, paths

if TYPE_CHECKING:  # the suite's root conftest; imported by name only for the type
    from conftest import DemoBuild

# (wave, a day inside its window): one cohort; four cohorts of two fiscal years, where the
# same person can be on two rosters.
CASES = [("mamabono_2025_post", date(2026, 1, 5)), ("followup_2025", date(2026, 1, 20))]


@pytest.fixture(scope="module")
def demo(demo_warehouse_for_seed: Callable[[int], DemoBuild]) -> DemoBuild:
    return demo_warehouse_for_seed(2025)


def _settings(root: Path, demo: DemoBuild) -> Settings:
    """A fresh work folder reading the demo landing, with a copy of the demo's vault."""
    settings = Settings.for_work_dir(root / "work", root / "inbox")
    settings = Settings(
        work=settings.work,
        landing=demo.landing,
        vault=settings.vault,
        inbox=settings.inbox,
        demo_sources=settings.demo_sources,
        secrets=settings.secrets,
    )
    shutil.copytree(demo.landing.parent / "vault", settings.vault)
    return settings


def _emails_in_vault(vault: Path, pseudonyms: set[str]) -> list[str]:
    with closing(sqlite3.connect(vault / "contacts.sqlite")) as con:
        found = dict(con.execute("select pseudonym, contact from contacts where kind = 'email'"))
    return sorted(found[pseudonym] for pseudonym in pseudonyms)


def _expected_emails(settings: Settings, wave_code: str) -> list[str]:
    wave = load_catalog().waves[wave_code]
    targeted = {
        record["participant_pseudonym"]
        for record in PartitionStore(roster_dir(settings.landing)).read_all()
        if record["cohort_code"] in wave.target_cohorts and record.get("participant_pseudonym")
    }
    responses = settings.landing / FORMS_SOURCE / "responses" / wave.source_ref
    answered = {
        record.get("respondent_pseudonym") for record in PartitionStore(responses).read_all()
    }
    return _emails_in_vault(settings.vault, targeted - answered)


def _rows(export: ReminderExport) -> list[dict[str, str]]:
    text = export.path.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize(("wave_code", "as_of"), CASES)
def test_the_list_is_exactly_the_non_respondents(
    demo: DemoBuild, tmp_path: Path, wave_code: str, as_of: date
) -> None:
    settings = _settings(tmp_path, demo)
    export = create_reminder_list(
        settings, wave_code=wave_code, as_of=as_of, audit_db=demo.database
    )
    rows = _rows(export)
    expected = _expected_emails(settings, wave_code)
    assert expected, "the demo wave should have non-respondents to remind"
    # Each once (a person on two targeted rosters is still one letter), nobody else.
    assert sorted(row["メールアドレス"] for row in rows) == expected
    assert {row["状況"] for row in rows} == {NOT_ANSWERED}  # no demo answer is all-quarantined
    assert all(row["氏名"] for row in rows)
    # The list has the status page's and the gate alert's targeted − responded people.
    with duckdb.connect(str(demo.database), read_only=True) as con:
        targeted, responded = con.execute(
            "select targeted, responded from marts.fct_response_rates"
            " where wave_code = ? and breakdown_level = 'all'",
            [wave_code],
        ).fetchone()
    assert export.count == len(rows) == targeted - responded
    by_cohort = {row["コホート"] for row in rows}
    assert by_cohort <= set(load_catalog().waves[wave_code].target_cohorts)


@pytest.mark.slow
def test_the_list_never_leaves_the_vault_in_a_full_run(
    demo: DemoBuild, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Export, then gate → publish → alerts → reports into the same work folder, and walk
    every folder outside the vault: analysts' warehouse, releases, reports, staff pages,
    outbox, quality docs."""
    from impact_warehouse.pipeline import release as release_job
    from impact_warehouse.report.job import render_after_publish

    root = tmp_path / "run"
    monkeypatch.setenv("IMPACT_WORK_DIR", str(root / "work"))
    monkeypatch.setenv("IMPACT_LANDING_DIR", str(demo.landing))
    monkeypatch.delenv("IMPACT_VAULT_DIR", raising=False)
    monkeypatch.delenv("IMPACT_WAREHOUSE_PATH", raising=False)
    settings = paths()
    shutil.copytree(demo.landing.parent / "vault", settings.vault)
    audit_db = settings.work / "warehouse" / "audit.duckdb"
    audit_db.parent.mkdir(parents=True)
    shutil.copyfile(demo.database, audit_db)

    exports = [
        create_reminder_list(settings, wave_code=wave, as_of=as_of, audit_db=audit_db)
        for wave, as_of in CASES
    ]
    outcome = release_job.gate_publish_and_alert(
        settings, fiscal_year=2025, run_id="reminders-walk", as_of=date(2026, 5, 1)
    )
    assert outcome["release_id"], "the walk needs a published release and its reports"
    assert render_after_publish(outcome, settings)

    digests = {export.sha256 for export in exports}
    names = {export.path.name for export in exports}
    emails = {row["メールアドレス"] for export in exports for row in _rows(export)}
    vault = settings.vault.resolve()
    walked = 0
    for path in settings.work.rglob("*"):
        if not path.is_file() or path.resolve().is_relative_to(vault):
            continue
        walked += 1
        data = path.read_bytes()
        assert path.name not in names, path
        assert hashlib.sha256(data).hexdigest() not in digests, path
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # DuckDB, SQLite, XLSX, PNG: checked by name and digest above
        leaked = [email for email in emails if email in text]
        assert not leaked, f"{path} holds {len(leaked)} reminder addresses"
    for folder in ("published", "releases", "reports"):
        assert (settings.work / folder).is_dir(), folder
    assert walked > 20
