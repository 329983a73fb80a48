"""Freshness is measured by `dbt source freshness` (loaded_at_field, warn_after in the sources
YAML) and the gate's freshness check reads that result for the open google_forms waves."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from impact_warehouse.quality.checks import CheckContext
from impact_warehouse.quality.checks.freshness import check_freshness
from impact_warehouse.quality.gx_session import GxSession
from impact_warehouse.settings import paths
from impact_warehouse.transform import dbt_runner
from impact_warehouse.transform.dbt_runner import DbtRunError
from impact_warehouse.transform.source_freshness import (
    measure_source_freshness,
    read_source_freshness,
    result_path,
)

LANDED = datetime(2026, 10, 1, 8, 30, tzinfo=UTC)


def land_responses(landing: Path, landed_at: list[datetime]) -> None:
    folder = landing / "google_forms" / "responses" / "wave=w1"
    folder.mkdir(parents=True)
    lines = [
        json.dumps({"record_key": f"r{i}|t", "wave_code": "w1", "landed_at": when.isoformat()})
        for i, when in enumerate(landed_at)
    ]
    (folder / "part-0001.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def audit_warehouse(path: Path) -> Path:
    """The one table the check reads besides dbt's result: an open google_forms wave."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            """
            create table marts.dim_waves as select
                'mamabono_2026_post' as wave_code, 'mamabono' as program_code,
                1 as targeted_cohort_count, 'mamabono_2026' as targeted_cohort_codes,
                date '2026-10-01' as open_date, date '2026-12-31' as close_date,
                'google_forms' as source_system
            """
        )
    return path


def gate_check(audit_db: Path, as_of: date, tmp_path: Path, landing: Path) -> list:
    with duckdb.connect(str(audit_db), read_only=True) as con:
        ctx = CheckContext(
            con=con,
            gx=GxSession(tmp_path / "docs"),
            config={"freshness": {"severity": "warning"}},
            as_of=as_of,
            landing_dir=landing,
            run_settings=paths(),
        )
        return check_freshness(ctx)


def test_dbt_measures_the_newest_landing_and_the_gate_judges_it_at_as_of(tmp_path: Path):
    landing = tmp_path / "landing"
    land_responses(landing, [datetime(2026, 9, 20, tzinfo=UTC), LANDED])
    audit_db = audit_warehouse(tmp_path / "audit.duckdb")

    result = measure_source_freshness(audit_db=audit_db, landing_dir=landing, settings=paths())

    assert result.latest == LANDED  # max(landed_at), from dbt's sources.json
    assert result.warn_after_days == 35.0  # freshness.warn_after in _google_forms__sources.yml
    assert result.status in {"pass", "warn"}
    assert read_source_freshness(audit_db, build_results=tmp_path / "none.json") == result
    assert result_path(audit_db).is_file()

    assert gate_check(audit_db, date(2026, 11, 5), tmp_path, landing) == []  # 35 days: fine
    [finding] = gate_check(audit_db, date(2026, 11, 6), tmp_path, landing)
    assert (finding.check_name, finding.severity) == ("freshness", "warning")
    assert (finding.wave_code, finding.observed, finding.threshold) == (
        "mamabono_2026_post",
        36.0,
        35.0,
    )
    assert finding.details["latest_landed_at"].startswith("2026-10-01 08:30")
    assert finding.details["dbt_status"] == result.status
    assert "dbt source freshness" in finding.details["source"]


def test_without_any_landing_the_open_wave_is_reported(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    audit_db = audit_warehouse(tmp_path / "audit.duckdb")

    # No result kept by a build job: the check asks dbt itself (no part file: runtime error).
    [finding] = gate_check(audit_db, date(2026, 10, 20), tmp_path, landing)

    assert finding.observed is None and "no landing at all" in finding.message_en
    assert finding.details["dbt_status"] == "runtime error"
    # The criteria of a source whose query failed come from the manifest (sources.json has
    # no entry for it), which the measurement has dbt write only then.
    kept = read_source_freshness(audit_db, build_results=tmp_path / "none.json")
    assert kept is not None and kept.warn_after_days == 35.0


def test_a_failed_check_whose_parse_fails_too_keeps_no_result_and_names_both_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The `dbt parse` that writes the criteria after a failed check may fail as well: no
    result without a threshold is kept for the gate (it measures again itself), and the
    error names both failures."""
    target = tmp_path / "target"

    def failing_dbt(args: list[str], *_: object, **__: object) -> None:
        if args[0] == "source":  # the check: dbt writes a sources.json without the source
            target.mkdir(exist_ok=True)
            (target / "sources.json").write_text('{"results": []}', encoding="utf-8")
        raise DbtRunError(args, [], cause=RuntimeError(f"{args[0]} went wrong"))

    monkeypatch.setattr(dbt_runner, "run_dbt", failing_dbt)
    audit_db = tmp_path / "audit.duckdb"
    with pytest.raises(RuntimeError, match=r"(?s)source went wrong.*parse went wrong"):
        measure_source_freshness(audit_db=audit_db, settings=paths(), build_target=target)
    assert read_source_freshness(audit_db, build_results=tmp_path / "none.json") is None


def test_a_result_older_than_the_last_build_is_not_used(tmp_path: Path) -> None:
    audit_db = tmp_path / "audit.duckdb"
    result_path(audit_db).write_text(
        json.dumps(
            {
                "unique_id": "source.impact_warehouse.google_forms.responses",
                "status": "pass",
                "max_loaded_at": LANDED.isoformat(),
                "snapshotted_at": LANDED.isoformat(),
                "warn_after_days": 35.0,
                "error_after_days": None,
            }
        ),
        encoding="utf-8",
    )
    build = tmp_path / "run_results.json"
    assert read_source_freshness(audit_db, build_results=build) is not None
    build.write_text("{}", encoding="utf-8")
    stamp = result_path(audit_db).stat().st_mtime_ns + 1_000_000_000
    os.utime(build, ns=(stamp, stamp))
    assert read_source_freshness(audit_db, build_results=build) is None


def test_the_old_gate_setting_is_refused_with_where_it_moved(tmp_path: Path) -> None:
    audit_db = audit_warehouse(tmp_path / "audit.duckdb")
    with duckdb.connect(str(audit_db), read_only=True) as con:
        ctx = CheckContext(
            con=con,
            gx=GxSession(tmp_path / "docs"),
            config={"freshness": {"max_age_days": 35}},
            as_of=date(2026, 10, 20),
            run_settings=paths(),
        )
        with pytest.raises(ValueError, match=r"_google_forms__sources\.yml"):
            check_freshness(ctx)
