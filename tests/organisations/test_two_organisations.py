"""Two organisations on one installation: their keys, folders and releases stay apart, and
one organisation's failing gate does not keep the other from publishing (issue 16).

The registry holds the example organisation (a link to ``examples/hataraku_women``) and a
copy of its catalog under another code whose own catalog sets a response-rate floor its
FY2025 follow-up survey cannot meet (100%), so only that organisation's gate fails. Each
organisation's demo sources (the same seed: the same people, the same emails) go through the
real ingest and ``build → gate → publish`` inside its own scope, in one process, one after
the other, as an Airflow task would run them (:func:`organisation_scope`). The installation
has a pseudonym key of its own, which no organisation may use.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import duckdb
import pytest

from impact_warehouse.catalog import load_catalog
from impact_warehouse.demo.forms_api_server import FormsApiServer
from impact_warehouse.demo.sources import generate_for_catalog
from impact_warehouse.landing.privacy import create_demo_key
from impact_warehouse.organisations import (
    Organisation,
    load_registry,
    organisation_scope,
    organisation_work_dir,
)
from impact_warehouse.pipeline import ingest
from impact_warehouse.pipeline.release import gate_publish_and_alert
from impact_warehouse.pipeline.release_in_process import build_gate_publish
from impact_warehouse.publish import current_release, list_releases
from impact_warehouse.settings import PROJECT_ROOT, Settings, paths
from impact_warehouse.sources.google_forms import FormsApiConfig

# The end-to-end tier (make test-all): two organisations through ingest, build, gate and publish
pytestmark = pytest.mark.slow

EXAMPLE = PROJECT_ROOT / "examples" / "hataraku_women"
AS_OF = date(2026, 4, 30)  # after the example's last FY2025 wave
FISCAL_YEAR = 2025
PUBLISHING = "hataraku_mirai"
FAILING = "kurashi_lab"
UNMET_WAVE = "followup_2025"
INSTALLATION_KEY = "installation-key-" + "0" * 48
_TOKEN = "organisations-tests"


@dataclass(frozen=True)
class Installation:
    work: Path
    organisations: dict[str, Organisation]
    outcomes: dict[str, dict]

    def settings(self, code: str) -> Settings:
        with organisation_scope(self.organisations[code]):
            return paths()


def _copy_with_unmet_floor(registry: Path) -> None:
    target = Path(shutil.copytree(EXAMPLE, registry / FAILING))
    profile = target / "organisation.csv"
    header, row = profile.read_text(encoding="utf-8").splitlines()[:2]
    profile.write_text(f"{header}\n{FAILING}{row[row.index(',') :]}\n", encoding="utf-8")
    waves = target / "waves.csv"
    with waves.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = list(reader.fieldnames or []), list(reader)
    for wave in rows:
        if wave["wave_code"] == UNMET_WAVE:
            wave["response_rate_target"] = wave["response_rate_floor"] = "1.0"
    with waves.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _run_organisation(organisation: Organisation) -> dict:
    """The organisation's demo sources → ingest → build, gate, publish; inside its scope."""
    with organisation_scope(organisation):
        settings = paths()
        generate_for_catalog(settings.demo_sources, as_of=AS_OF, catalog_dir=settings.catalog)
        assert create_demo_key(settings.secrets / "pseudonym.key")
        settings = replace(settings, inbox=settings.demo_sources / "inbox")
        catalog = load_catalog(settings.catalog)
        waves = ingest.plan_form_waves(catalog, AS_OF, AS_OF, as_of=AS_OF, all_waves=True)
        with FormsApiServer(settings.demo_sources / "google_forms", token=_TOKEN) as server:
            config = FormsApiConfig(base_url=server.url, token=_TOKEN, backoff_base_seconds=0.01)
            units = [*ingest.land_operations(settings), *ingest.land_panels(settings)]
            units += [ingest.land_form_wave(settings, wave, config) for wave in waves]
        ingest.finish_run(settings, f"{organisation.code}-demo", units)
        return build_gate_publish(
            settings, fiscal_year=FISCAL_YEAR, as_of=AS_OF, run_id=f"{organisation.code}-fy2025"
        )


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installation]:
    root = tmp_path_factory.mktemp("two-organisations")
    registry = root / "organisations"
    registry.mkdir()
    (registry / PUBLISHING).symlink_to(EXAMPLE)
    _copy_with_unmet_floor(registry)
    saved = dict(os.environ)
    os.environ.update(
        IMPACT_WORK_DIR=str(root / "work"),
        IMPACT_ORGANISATIONS_DIR=str(registry),
        IMPACT_PSEUDONYM_KEY=INSTALLATION_KEY,
    )
    try:
        organisations = {o.code: o for o in load_registry()}
        outcomes = {code: _run_organisation(o) for code, o in organisations.items()}
        yield Installation(root / "work", organisations, outcomes)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def published_codes(warehouse: Path) -> dict[str, set[str]]:
    """``schema.table`` → the organisation codes its rows carry, for every published table."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = connection.execute("select schema_name, table_name from meta.tables").fetchall()
        return {
            f"{schema}.{table}": {
                code
                for (code,) in connection.execute(
                    f'select distinct organisation_code from "{schema}"."{table}"'
                ).fetchall()
            }
            for schema, table in tables
        }


def alerts(settings: Settings) -> list[dict]:
    path = settings.outbox / "alerts.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def vault_emails(settings: Settings) -> dict[str, str]:
    """email → its pseudonym, from the organisation's vault."""
    with sqlite3.connect(settings.vault / "contacts.sqlite") as connection:
        rows = connection.execute(
            "select contact, pseudonym from contacts where kind = 'email'"
        ).fetchall()
    return dict(rows)


def landed_text(settings: Settings) -> str:
    return "\n".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in sorted(settings.landing.rglob("*"))
        if path.is_file() and path.suffix in (".jsonl", ".json", ".csv")
    )


def test_one_organisations_failing_gate_does_not_stop_the_others_release(
    installation: Installation,
) -> None:
    published, failed = installation.outcomes[PUBLISHING], installation.outcomes[FAILING]

    assert published["gate_passed"] and published["release_id"]
    assert not failed["gate_passed"] and failed["release_id"] is None
    publishing, failing = installation.settings(PUBLISHING), installation.settings(FAILING)
    release = current_release(publishing.releases)
    assert release is not None and release.release_id == published["release_id"]
    assert release.organisation_code == PUBLISHING
    assert publishing.published_warehouse.is_file()
    # The failing organisation has no release at all, and nothing for its analysts to open.
    assert current_release(failing.releases) is None and list_releases(failing.releases) == []
    assert not failing.published_warehouse.exists()


def test_the_failing_organisations_alert_goes_to_its_own_outbox_only(
    installation: Installation,
) -> None:
    publishing, failing = installation.settings(PUBLISHING), installation.settings(FAILING)
    failing_alerts = [json.dumps(alert, ensure_ascii=False) for alert in alerts(failing)]

    assert any(UNMET_WAVE in alert for alert in failing_alerts), failing_alerts
    publishing_alerts = [json.dumps(alert, ensure_ascii=False) for alert in alerts(publishing)]
    assert not any(f"{FAILING}-fy2025" in alert for alert in publishing_alerts)
    assert not any(FAILING in alert for alert in publishing_alerts)
    assert not any(f"{PUBLISHING}-fy2025" in alert for alert in failing_alerts)


def test_a_later_failing_gate_leaves_the_current_release_as_it_was(
    installation: Installation, tmp_path: Path
) -> None:
    organisation = installation.organisations[PUBLISHING]
    failing = installation.settings(FAILING)
    before = (current_release(installation.settings(PUBLISHING).releases), alerts(failing))
    with organisation_scope(organisation):
        settings = paths()
        audit = Path(
            shutil.copy(installation.outcomes[PUBLISHING]["build"]["audit_db"], tmp_path / "a.db")
        )
        with duckdb.connect(str(audit)) as connection:
            connection.execute(
                "update marts.dim_waves set response_rate_floor = 1.0 where wave_code = ?",
                [UNMET_WAVE],
            )
        outcome = gate_publish_and_alert(
            settings, fiscal_year=FISCAL_YEAR, run_id="broken", as_of=AS_OF, audit_db=audit
        )
        after = current_release(settings.releases)
    assert not outcome["gate_passed"] and outcome["release_id"] is None
    assert after == before[0]
    # The other organisation saw nothing of it.
    assert alerts(failing) == before[1]
    assert current_release(failing.releases) is None


def test_every_published_row_carries_its_own_organisations_code(
    installation: Installation,
) -> None:
    release = current_release(installation.settings(PUBLISHING).releases)
    assert release is not None
    codes = published_codes(release.warehouse_path)

    assert codes and "reporting.rpt_outcome_results" in codes
    # An empty table has no code to show; every row of every other one carries this one.
    assert {table: found for table, found in codes.items() if not found <= {PUBLISHING}} == {}
    assert codes["reporting.rpt_outcome_results"] == {PUBLISHING}
    record = json.loads((release.directory / "release.json").read_text(encoding="utf-8"))
    assert record["organisation_code"] == PUBLISHING


def test_the_same_email_gets_a_different_pseudonym_in_each_organisation(
    installation: Installation,
) -> None:
    publishing, failing = installation.settings(PUBLISHING), installation.settings(FAILING)
    first, second = vault_emails(publishing), vault_emails(failing)
    shared = sorted(set(first) & set(second))

    assert len(shared) > 10, "the two demos have the same people"
    assert all(first[email] != second[email] for email in shared)
    keys = [
        (s.secrets / "pseudonym.key").read_text(encoding="utf-8") for s in (publishing, failing)
    ]
    assert keys[0] != keys[1] and INSTALLATION_KEY not in keys
    # Each landing zone holds its own pseudonyms, none of the other organisation's.
    landed = landed_text(publishing), landed_text(failing)
    assert any(first[email] in landed[0] for email in shared)
    assert not any(second[email] in landed[0] for email in shared)
    assert not any(first[email] in landed[1] for email in shared)


def test_no_organisations_folder_is_inside_the_others(installation: Installation) -> None:
    publishing, failing = installation.settings(PUBLISHING), installation.settings(FAILING)

    for own, other in ((publishing, failing), (failing, publishing)):
        assert own.work == organisation_work_dir(
            PUBLISHING if own is publishing else FAILING,
            {"IMPACT_WORK_DIR": str(installation.work)},
        )
        for folder in (own.vault, own.secrets, own.landing, own.outbox):
            assert folder.is_dir(), folder
            assert folder.is_relative_to(own.work)
            assert not folder.is_relative_to(other.work)
    assert publishing.releases.is_dir() and not failing.releases.exists()
    # Nothing of either organisation is written beside their folders.
    assert sorted(p.name for p in installation.work.iterdir()) == ["organisations"]


def test_each_organisations_status_page_is_drawn_in_its_own_folder(
    installation: Installation,
) -> None:
    # Drawn while each gate ran, the failing organisation's too: its staff need the rates most.
    for code in (PUBLISHING, FAILING):
        page = installation.outcomes[code]["build"]["status_page"]
        assert page is not None and Path(page).is_file(), code
        assert Path(page).is_relative_to(installation.settings(code).work)
