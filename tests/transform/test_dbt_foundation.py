"""The dbt foundation (staging, int_answers__normalised, statistics macros) built for real.

Landing zones are made by the project's own ingest, in process: a tiny hand-written set of
sources (fast, always runs) and, once the demo generator is importable, the full demo data.
Each is built with ``dbt build`` through ``impact_warehouse.transform.dbt_runner.run_dbt`` into a
temporary DuckDB file.
"""

from __future__ import annotations

import csv
import hashlib
import json
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from openpyxl import Workbook

from impact_warehouse.catalog import Catalog, load_catalog
from impact_warehouse.demo.forms_api_server import FormsApiServer
from impact_warehouse.pipeline import ingest
from impact_warehouse.settings import Settings, paths
from impact_warehouse.sources.google_forms import FormsApiConfig
from impact_warehouse.sources.operations_workbook import SHEETS
from impact_warehouse.sources.panel_files import METADATA_HEADERS
from impact_warehouse.transform import dbt_artifacts
from impact_warehouse.transform.dbt_runner import DbtRun, DbtRunError, run_dbt
from shared_builds import built_once, dbt_run_record, own_copy_of_run

AS_OF = date(2026, 11, 23)
TOKEN = secrets.token_urlsafe(16)
PSEUDONYM_KEY = b"transform-tests-key"
SCORE_AND_HOURS_SCALES = ("score10", "anxiety10", "hours")

# Staging model → landing folder (relative to the landing dir) whose records it holds.
STAGED_FOLDERS = {
    "stg_google_forms__responses": "google_forms/responses",
    "stg_google_forms__question_map": "google_forms/question_map",
    "stg_google_forms__forms": "google_forms/forms",
    "stg_panel_file__responses": "panel_file/responses",
    "stg_panel_file__question_map": "panel_file/question_map",
    "stg_operations__roster": "operations/roster",
    "stg_operations__projects": "operations/projects",
    "stg_operations__organisations": "operations/organisations",
    "stg_operations__support_measures": "operations/support_measures",
    "stg_quarantine__records": "quarantine",
}


# --------------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class Warehouse:
    landing: Path
    database: Path
    run: DbtRun

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.database), read_only=True) as connection:
            return connection.execute(sql).fetchall()

    def scalar(self, sql: str) -> Any:
        return self.query(sql)[0][0]


def work_paths(work: Path, inbox: Path) -> Settings:
    return Settings.for_work_dir(work, inbox)


def land(settings: Settings, source_dir: Path, waves: list[str]) -> dict[str, Any]:
    """The ingest DAG's sequence, in process, against a local Forms API over ``source_dir``."""
    with FormsApiServer(source_dir / "google_forms", token=TOKEN) as server:
        config = FormsApiConfig(
            base_url=server.url, token=TOKEN, timeout_seconds=10.0, backoff_base_seconds=0.01
        )
        units = [
            *ingest.land_operations(settings, PSEUDONYM_KEY),
            *ingest.land_panels(settings, PSEUDONYM_KEY),
        ]
        units += [ingest.land_form_wave(settings, wave, config, PSEUDONYM_KEY) for wave in waves]
    return ingest.finish_run(settings, "transform-test", units)


def build(landing: Path, work: Path, name: str) -> Warehouse:
    database = work / f"{name}.duckdb"
    run = run_dbt(
        ["build"],
        paths(),
        target_path=work / f"{name}-target",
        duckdb_path=database,
        landing_dir=landing,
    )
    return Warehouse(landing, database, run)


def landed_records(landing: Path, folder: str) -> list[dict[str, Any]]:
    records = []
    for part in sorted((landing / folder).rglob("part-*.jsonl")):
        with part.open(encoding="utf-8") as handle:
            records.extend(json.loads(line) for line in handle if line.strip())
    return records


def table_fingerprints(database: Path) -> dict[str, str]:
    """A hash of every table's rows in a stable order, per schema.table."""
    fingerprints = {}
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('catalog', 'staging', 'intermediate') order by all"
        ).fetchall()
        for schema, table in tables:
            rows = connection.execute(f'select * from "{schema}"."{table}" order by all').fetchall()
            fingerprints[f"{schema}.{table}"] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return fingerprints


def assert_staging_keeps_every_landed_record(warehouse: Warehouse) -> None:
    for model, folder in STAGED_FOLDERS.items():
        landed = landed_records(warehouse.landing, folder)
        staged = warehouse.scalar(f"select count(*) from staging.{model}")
        assert staged == len(landed), f"{model}: {staged} rows, {len(landed)} landed records"


def assert_landing_fields_are_declared(warehouse: Warehouse) -> None:
    """Every field landing writes is a declared column of its dbt source, so a new field is
    noticed (and typed) instead of being silently ignored by the explicit read schema."""
    manifest = json.loads((warehouse.run.target_path / "manifest.json").read_text("utf-8"))
    declared = {
        (source["source_name"], source["name"]): set(source["columns"])
        for source in manifest["sources"].values()
    }
    for folder in STAGED_FOLDERS.values():
        source_name, _, table = folder.partition("/")
        columns = declared[(source_name, table or "records")]
        fields = {field for record in landed_records(warehouse.landing, folder) for field in record}
        assert fields <= columns, f"{folder}: undeclared fields {sorted(fields - columns)}"


def expected_answer_rows(landing: Path) -> tuple[int, int]:
    """Rows stg_google_forms__answers and stg_panel_file__answers must have."""
    forms = sum(
        max(1, len((answer.get("textAnswers") or {}).get("answers") or []))
        for record in landed_records(landing, "google_forms/responses")
        for answer in (record["payload"].get("answers") or {}).values()
    )
    panel = sum(
        len(record["answers"]) for record in landed_records(landing, "panel_file/responses")
    )
    return forms, panel


def assert_flags_match_quarantine(warehouse: Warehouse) -> int:
    """int_answers__normalised flags exactly the score/hours answers quarantined as
    out_of_scale at landing (same record_ref). Returns how many there are."""
    scales = ", ".join(f"'{scale}'" for scale in SCORE_AND_HOURS_SCALES)
    flagged = set(
        warehouse.query(
            "select distinct response_id || '|' || question_id "
            "from intermediate.int_answers__normalised "
            f"where invalid_reason = 'out_of_scale' and scale_code in ({scales})"
        )
    )
    item_scales = {
        item_code: scale
        for item_code, scale in warehouse.query("select item_code, scale_code from catalog.items")
    }
    quarantined = {
        (record["record_ref"],)
        for record in landed_records(warehouse.landing, "quarantine")
        if record["reason_code"] == "out_of_scale"
        and item_scales.get(record["detail"].split(":", 1)[0]) in SCORE_AND_HOURS_SCALES
    }
    assert flagged == quarantined
    return len(flagged)


# ------------------------------------------------------------------ tiny hand-written sources

TINY_FORMS = {"mamabono_2025_pre": "q-pre", "followup_2025": "q-fu"}
TINY_PEOPLE = {
    "hanako": "Hanako.Sato@example.com",
    "yuki": "yuki.tanaka@example.com",
    "mei": "mei.ito@example.com",
}


def _question(question_id: str, title: str, kind: str) -> dict[str, Any]:
    return {
        "itemId": f"item-{question_id}",
        "title": title,
        "questionItem": {"question": {"questionId": question_id, kind: {}}},
    }


def _response(
    form_id: str, response_id: str, email: str, submitted: str, answers: dict[str, list[str]]
) -> dict[str, Any]:
    return {
        "formId": form_id,
        "responseId": response_id,
        "createTime": submitted.replace("T1", "T0"),
        "lastSubmittedTime": submitted,
        "respondentEmail": email,
        "answers": {
            question_id: {
                "questionId": question_id,
                "textAnswers": {"answers": [{"value": value} for value in values]},
            }
            for question_id, values in answers.items()
        },
    }


def write_tiny_sources(out: Path, catalog: Catalog) -> dict[str, str]:
    """Two form waves, one panel delivery and one operations workbook, with the dirt that
    matters here: full-width digits, out-of-scale, unparseable and unknown-label answers, a
    resubmission, an unmatched question and a respondent who is not on the roster.
    Returns question id → item code of the form questions."""

    def wording(item_code: str, fiscal_year: int) -> str:
        text = catalog.items[item_code].wording_for(fiscal_year)
        assert text is not None, f"{item_code} has no wording in FY{fiscal_year}"
        return text

    pre, followup = (catalog.waves[wave] for wave in TINY_FORMS)
    questions = {
        pre.source_ref: [
            ("q-pre-name", "respondent_name", "textQuestion"),
            ("q-pre-cc", "career_confidence", "scaleQuestion"),
            ("q-pre-ra", "return_anxiety", "scaleQuestion"),
        ],
        followup.source_ref: [
            ("q-fu-cc", "career_confidence", "scaleQuestion"),
            ("q-fu-hw", "housework_hours_weekday_self", "textQuestion"),
            ("q-fu-hp", "housework_hours_weekday_partner", "textQuestion"),
            ("q-fu-sc", "self_care_as_parent", "choiceQuestion"),
            ("q-fu-cw", "challenged_at_work", "choiceQuestion"),
        ],
    }
    forms_dir = out / "google_forms" / "forms"
    forms_dir.mkdir(parents=True)
    for wave in (pre, followup):
        items = [
            _question(qid, wording(item, wave.fiscal_year), kind)
            for qid, item, kind in questions[wave.source_ref]
        ]
        items.append(
            _question(f"{TINY_FORMS[wave.wave_code]}-free", "ご意見・ご感想", "textQuestion")
        )
        form = {
            "formId": wave.source_ref,
            "revisionId": "00000001",
            "info": {"title": wave.targeted_population_ja},
            "items": items,
        }
        (forms_dir / f"{wave.source_ref}.json").write_text(
            json.dumps(form, ensure_ascii=False), encoding="utf-8"
        )
    responses = {
        pre.source_ref: [
            _response(
                pre.source_ref,
                "r-hanako",
                TINY_PEOPLE["hanako"],
                "2025-09-10T10:00:00.100Z",
                {"q-pre-name": ["佐藤 花子"], "q-pre-cc": ["７"], "q-pre-ra": [" 3 "]},
            ),
            _response(  # resubmission: a second version of the same response
                pre.source_ref,
                "r-hanako",
                TINY_PEOPLE["hanako"],
                "2025-09-12T11:00:00.200Z",
                {"q-pre-name": ["佐藤 花子"], "q-pre-cc": ["8"], "q-pre-ra": ["３"]},
            ),
            _response(
                pre.source_ref,
                "r-yuki",
                TINY_PEOPLE["yuki"],
                "2025-09-11T10:00:00Z",
                {"q-pre-cc": ["11"], "q-pre-ra": ["たぶん5"], "q-pre-free": ["特になし"]},
            ),
            _response(  # not on the roster: landed, reported
                pre.source_ref,
                "r-stranger",
                "stranger@example.com",
                "2025-09-13T10:00:00Z",
                {"q-pre-cc": ["0"], "q-pre-ra": ["10"]},
            ),
        ],
        followup.source_ref: [
            _response(
                followup.source_ref,
                "r-mei",
                TINY_PEOPLE["mei"],
                "2026-01-20T10:00:00Z",
                {
                    "q-fu-cc": ["１０"],
                    "q-fu-hw": ["２．５"],
                    "q-fu-hp": ["0.75"],
                    "q-fu-sc": ["そう思う"],
                    "q-fu-cw": ["はい"],
                },
            ),
            _response(
                followup.source_ref,
                "r-yuki-fu",
                TINY_PEOPLE["yuki"],
                "2026-01-21T10:00:00Z",
                {
                    "q-fu-cc": ["6.5"],
                    "q-fu-hw": ["2.3"],
                    "q-fu-hp": ["25"],
                    "q-fu-sc": ["とてもそう思う"],
                    "q-fu-cw": ["いいえ"],
                },
            ),
        ],
    }
    responses_dir = out / "google_forms" / "responses"
    responses_dir.mkdir(parents=True)
    for form_id, rows in responses.items():
        (responses_dir / f"{form_id}.jsonl").write_text(
            "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
        )

    comparison = catalog.waves["comparison_2025"]
    panel_items = ["career_confidence", "housework_hours_weekend_partner", "connections_widened"]
    headers = [*METADATA_HEADERS, *(wording(item, comparison.fiscal_year) for item in panel_items)]
    panel_dir = out / "inbox" / "panel"
    panel_dir.mkdir(parents=True)
    with (panel_dir / f"{comparison.source_ref}_tiny.csv").open(
        "w", encoding="utf-8", newline=""
    ) as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerow(["S001", "34", "東京都", "正社員", "2026/01/17 10:23", "６", "1.5", "はい"])
        writer.writerow(["S002", "41", "大阪府", "正社員", "2026/01/17 11:05", "0", "", "いいえ"])
        writer.writerow(["S003", "29", "愛知県", "正社員", "2026/01/18 09:40", "7", "24.5", "?"])

    workbook = Workbook()
    workbook.remove(workbook.active)
    sheets: dict[str, list[list[Any]]] = {
        "参加者名簿": [
            list(SHEETS["参加者名簿"][1]),  # 氏名, メールアドレス, 電話番号, プログラム, 年度, …
            [
                "佐藤 花子",
                TINY_PEOPLE["hanako"],
                "090-1234-5678",
                "ママボノ",
                2025,
                "mamabono_2025",
                "P2025-01",
                "産休・育休中",
            ],
            [
                "田中 由紀",
                TINY_PEOPLE["yuki"],
                None,
                "ママボノ",
                2025,
                "mamabono_2025",
                "P2025-01",
                "離職中／専業主婦",
            ],
            [
                "伊藤 芽衣",
                TINY_PEOPLE["mei"],
                None,
                "ママボノ",
                2025,
                "mamabono_2025",
                "P2025-02",
                "産休・育休中",
            ],
        ],
        "プロジェクト": [
            list(SHEETS["プロジェクト"][1]),
            ["P2025-01", "ママボノ", 2025, "広報物の見直し", "O-01", 6, "チーム"],
            ["P2025-02", "ママボノ", 2025, "寄付者調査", "O-02", "５", "チーム"],
        ],
        "支援先団体": [
            list(SHEETS["支援先団体"][1]),
            ["O-01", "こども食堂ネット", "東京都", "子ども・子育て"],
            ["O-02", "まちづくり工房", "神奈川県", "まちづくり"],
        ],
        "施策・イベント": [
            list(SHEETS["施策・イベント"][1]),
            [date(2025, 10, 4), 2025, "勉強会、動画提供", "ママボノ", "プロボノ基礎講座", 32],
            [date(2025, 6, 21), 2025, "両立支援系のイベント", "全体", "復職準備セミナー", 45],
        ],
    }
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    operations_dir = out / "inbox" / "operations"
    operations_dir.mkdir(parents=True)
    workbook.save(operations_dir / "operations_2025.xlsx")
    return {qid: item for wave_questions in questions.values() for qid, item, _ in wave_questions}


@pytest.fixture(scope="module")
def tiny_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """Landed and built once per test run (tests/shared_builds.py): this module's tests may
    run in two workers. The DuckDB file is the worker's own copy."""

    def produce(root: Path) -> dict[str, Any]:
        write_tiny_sources(root / "sources", load_catalog())
        settings = work_paths(root / "work", root / "sources" / "inbox")
        land(settings, root / "sources", list(TINY_FORMS))
        built = build(settings.landing, root, "tiny")
        return {"landing": str(built.landing), "run": dbt_run_record(built.run)}

    record = built_once(tmp_path_factory, "tiny-warehouse", produce)
    run = own_copy_of_run(record["run"], tmp_path_factory.mktemp("tiny"))
    return Warehouse(Path(record["landing"]), run.duckdb_path, run)


# ------------------------------------------------------------------------------ tiny tests


def test_tiny_landing_builds_green(tiny_warehouse: Warehouse) -> None:
    statuses = Counter(tiny_warehouse.run.node_statuses.values())
    assert statuses["success"] > 0 and statuses["pass"] > 0
    assert not set(statuses) - {"success", "pass", "warn"}


def test_tiny_staging_keeps_every_landed_record(tiny_warehouse: Warehouse) -> None:
    assert_staging_keeps_every_landed_record(tiny_warehouse)
    forms_answers, panel_answers = expected_answer_rows(tiny_warehouse.landing)
    assert tiny_warehouse.scalar("select count(*) from staging.stg_google_forms__answers") == (
        forms_answers
    )
    assert tiny_warehouse.scalar("select count(*) from staging.stg_panel_file__answers") == (
        panel_answers
    )


def test_tiny_landing_fields_are_declared_in_sources(tiny_warehouse: Warehouse) -> None:
    assert_landing_fields_are_declared(tiny_warehouse)


def test_tiny_invalid_answers_match_quarantine(tiny_warehouse: Warehouse) -> None:
    # forms: 11, 0, 6.5 (off-step), 2.3 (off-step), 25; panel: 0, 24.5
    assert assert_flags_match_quarantine(tiny_warehouse) == 7
    reasons = dict(
        tiny_warehouse.query(
            "select response_id || '|' || question_id || ' ' || item_code, invalid_reason "
            "from intermediate.int_answers__normalised where not is_valid"
        )
    )
    assert reasons["r-yuki|q-pre-ra return_anxiety"] == "unparseable_value"
    assert reasons["r-stranger|q-pre-cc career_confidence"] == "out_of_scale"
    assert reasons["r-yuki-fu|q-fu-sc self_care_as_parent"] == "unknown_label"
    assert reasons["r-yuki-fu|q-fu-cc career_confidence"] == "out_of_scale"  # 6.5: not a step


def test_tiny_full_width_digits_become_valid_numbers(tiny_warehouse: Warehouse) -> None:
    values = {
        (ref, item): (text, value, valid)
        for ref, item, text, value, valid in tiny_warehouse.query(
            "select response_id || '|' || question_id, item_code, answer_text, value_numeric, "
            "is_valid from intermediate.int_answers__normalised"
        )
    }
    assert values[("r-mei|q-fu-cc", "career_confidence")] == ("１０", 10.0, True)
    assert values[("r-mei|q-fu-hw", "housework_hours_weekday_self")] == ("２．５", 2.5, True)
    assert values[("r-mei|q-fu-sc", "self_care_as_parent")] == ("そう思う", 4.0, True)
    assert values[("r-mei|q-fu-cw", "challenged_at_work")] == ("はい", 1.0, True)
    versions = tiny_warehouse.query(
        "select answer_text, value_numeric from intermediate.int_answers__normalised "
        "where response_id = 'r-hanako' and item_code = 'career_confidence' order by submitted_at"
    )
    assert versions == [("７", 7.0), ("8", 8.0)]  # both response versions are kept


def test_tiny_unmatched_questions_stay_in_staging(tiny_warehouse: Warehouse) -> None:
    unmatched = tiny_warehouse.query(
        "select distinct question_id from staging.stg_google_forms__question_map "
        "where not is_matched order by 1"
    )
    assert unmatched == [("q-fu-free",), ("q-pre-free",)]
    answered = tiny_warehouse.scalar(
        "select count(*) from staging.stg_google_forms__answers where question_id = 'q-pre-free'"
    )
    in_int = tiny_warehouse.scalar(
        "select count(*) from intermediate.int_answers__normalised where question_id like '%free'"
    )
    assert (answered, in_int) == (1, 0)


def test_tiny_operations_values_are_typed(tiny_warehouse: Warehouse) -> None:
    projects = tiny_warehouse.query(
        "select project_id, fiscal_year, team_size from staging.stg_operations__projects "
        "order by project_id"
    )
    assert projects == [("P2025-01", 2025, 6), ("P2025-02", 2025, 5)]
    measures = tiny_warehouse.query(
        "select held_on, attendees, program_code from staging.stg_operations__support_measures "
        "order by held_on"
    )
    assert measures == [(date(2025, 6, 21), 45, None), (date(2025, 10, 4), 32, "mamabono")]


@pytest.mark.slow
def test_empty_landing_builds_every_model_empty(tmp_path: Path) -> None:
    warehouse = build(tmp_path / "landing", tmp_path, "empty")
    for model in [*STAGED_FOLDERS, "stg_google_forms__answers", "stg_panel_file__answers"]:
        assert warehouse.scalar(f"select count(*) from staging.{model}") == 0
    assert warehouse.scalar("select count(*) from intermediate.int_answers__normalised") == 0
    assert warehouse.scalar("select count(*) from catalog.waves") > 0


@pytest.mark.parametrize(
    ("model", "payload"),
    [
        ("google_forms/stg_google_forms__answers", "payload"),
        ("panel_file/stg_panel_file__answers", "answers"),
    ],
)
def test_the_answers_are_unnested_in_place_without_a_join_on_the_payload(
    tiny_warehouse: Warehouse, model: str, payload: str
) -> None:
    """DuckDB turns a lateral unnest over an import CTE into a hash join on the JSON payload
    (3-4x slower at 1000x the demo); the models unnest the staged table itself (their note)."""
    compiled = tiny_warehouse.run.target_path.joinpath(
        "compiled", "impact_warehouse", "models", "staging", f"{model}.sql"
    )
    [(_kind, plan)] = tiny_warehouse.query("explain (format json) " + compiled.read_text("utf-8"))
    joins = []
    pending = json.loads(plan)
    while pending:
        operator = pending.pop()
        pending.extend(operator.get("children", []))
        if "JOIN" in operator.get("name", ""):
            joins.append(operator.get("extra_info", {}).get("Conditions", ""))
    assert not [condition for condition in joins if payload in str(condition)], joins


def _broken_roster_landing(tmp_path: Path) -> Path:
    """A landing folder whose one roster part repeats a key and lacks every other column."""
    landing = tmp_path / "landing"
    broken = landing / "operations" / "roster" / "part-broken.jsonl"
    broken.parent.mkdir(parents=True)
    broken.write_text('{"record_key": "same"}\n{"record_key": "same"}\n', encoding="utf-8")
    return landing


def _failing_run_without_manifest(
    tmp_path: Path, args: list[str], earlier: tuple[str, ...], landing: Path
) -> Path:
    """The target folder of a ``write_manifest=False`` run that fails, after ``earlier``
    files were left in it."""
    target = tmp_path / "target"
    target.mkdir()
    for name in earlier:
        (target / name).write_text("{}", encoding="utf-8")
    with pytest.raises(DbtRunError):
        run_dbt(
            args,
            paths(),
            target_path=target,
            duckdb_path=tmp_path / "audit.duckdb",
            landing_dir=landing,
            write_manifest=False,
        )
    return target


def test_failed_build_names_the_failed_nodes(tmp_path: Path) -> None:
    landing = _broken_roster_landing(tmp_path)
    with pytest.raises(DbtRunError) as raised:
        run_dbt(
            ["build", "--select", "stg_operations__roster"],
            paths(),
            target_path=tmp_path / "target",
            duckdb_path=tmp_path / "broken.duckdb",
            landing_dir=landing,
        )
    failed = {failure.unique_id for failure in raised.value.failures}
    # The duplicated key and the rows' missing columns: the model's one column_rules test.
    assert any("column_rules_stg_operations__roster" in node for node in failed)
    assert "column_rules_stg_operations__roster" in str(raised.value)


def test_a_run_without_manifest_keeps_its_results_and_no_earlier_manifest(
    tmp_path: Path,
) -> None:
    """The production build's ``write_manifest=False`` (transform/dbt_artifacts.py): dbt writes
    no manifest, the run's results are still written (a failed run's too), and the manifest
    an earlier run left is gone, so it cannot pass for this build's."""
    target = _failing_run_without_manifest(
        tmp_path,
        ["build", "--select", "stg_operations__roster"],
        ("manifest.json", "graph.gpickle"),
        _broken_roster_landing(tmp_path),
    )
    assert not (target / "manifest.json").exists() and not (target / "graph.gpickle").exists()
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    statuses = {result["unique_id"]: result["status"] for result in results}
    assert statuses["model.impact_warehouse.stg_operations__roster"] == "success"
    assert any(
        "column_rules_stg_operations__roster" in node and status == "fail"
        for node, status in statuses.items()
    )


def test_a_run_without_manifest_that_fails_before_any_node_leaves_no_earlier_result(
    tmp_path: Path,
) -> None:
    """dbt writes no result when it fails before running a node: the build's earlier
    run_results.json must not stay to be read as this build's. The freshness check's
    sources.json in the same folder is another command's and stays."""
    target = _failing_run_without_manifest(
        tmp_path,
        ["build", "--threads", "not-a-number"],
        ("run_results.json", "sources.json", "manifest.json"),
        tmp_path / "landing",
    )
    assert sorted(path.name for path in target.glob("*.json")) == ["sources.json"]


@pytest.mark.parametrize(
    ("args", "removed"),
    [
        (["build", "--select", "source:freshness+"], "run_results.json"),
        (["source", "freshness", "--select", "source:google_forms.responses"], "sources.json"),
        (["--debug", "source", "freshness"], "sources.json"),
    ],
)
def test_a_run_removes_only_its_own_earlier_result(
    tmp_path: Path, args: list[str], removed: str
) -> None:
    for name in ("run_results.json", "sources.json", "manifest.json"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    dbt_artifacts.remove_earlier_artifacts(tmp_path, args)
    kept = {"run_results.json", "sources.json"} - {removed}
    assert {path.name for path in tmp_path.glob("*.json")} == kept


def test_unit_tests_run_in_the_test_suite_build(tiny_warehouse: Warehouse) -> None:
    """The production build leaves the unit tests out (warehouse_job.build_audit_warehouse,
    dbt_runner.PRODUCTION_BUILD); every build of the suite runs them, and they pass."""
    unit_tests = {
        node: status
        for node, status in tiny_warehouse.run.node_statuses.items()
        if node.startswith("unit_test.")
    }
    assert unit_tests and set(unit_tests.values()) == {"pass"}


@pytest.mark.parametrize(
    ("table", "column", "failing_test"),
    [
        ("staging.stg_google_forms__responses", "response_id", "column_rules_stg_google_forms"),
        ("marts.dim_waves", "fiscal_year", "column_rules_dim_waves"),
        # Keys: their not-null rule is in column_rules (and so is their uniqueness, but for
        # the published models').
        ("staging.stg_operations__roster", "record_key", "column_rules_stg_operations__roster"),
        ("marts.dim_cohorts", "cohort_code", "column_rules_dim_cohorts"),
        ("catalog.waves", "wave_code", "column_rules_waves_"),
        ("catalog.indicators", "indicator_symbol", "column_rules_indicators_"),
    ],
)
def test_a_null_in_a_required_column_fails_the_data_tests(
    tiny_warehouse: Warehouse, tmp_path: Path, table: str, column: str, failing_test: str
) -> None:
    """One column_rules test per model or seed stands for the separate not_null tests of its
    columns, its key included: a null in any of them still fails, and the failure names the
    test."""
    database = tmp_path / "injected.duckdb"
    database.write_bytes(tiny_warehouse.database.read_bytes())
    with duckdb.connect(str(database)) as connection:
        connection.execute(
            f"update {table} set {column} = null where rowid = (select min(rowid) from {table})"
        )
    model = table.split(".")[1]
    with pytest.raises(DbtRunError) as raised:
        run_dbt(
            ["test", "--select", model, "--exclude-resource-type", "unit_test"],
            paths(),
            target_path=tmp_path / "target",
            duckdb_path=database,
            landing_dir=tiny_warehouse.landing,
        )
    failed = [failure.unique_id for failure in raised.value.failures]
    assert [node for node in failed if failing_test in node], failed


def test_column_rules_read_only_nodes_upstream_of_their_model(tiny_warehouse: Warehouse) -> None:
    """`dbt build` holds a model back for a failed test only if the model is built from every
    node the test reads. A column_rules test (tests/generic/column_rules.sql) that also read an
    unrelated parent would let its model's failed not-null or accepted-values rules build the
    model's children anyway: its relationships name only parents upstream of the model."""
    manifest = json.loads(
        (tiny_warehouse.run.target_path / "manifest.json").read_text(encoding="utf-8")
    )
    parents = {
        unique_id: node.get("depends_on", {}).get("nodes", [])
        for unique_id, node in {**manifest["nodes"], **manifest["sources"]}.items()
    }

    def upstream(unique_id: str) -> set[str]:
        found: set[str] = set()
        pending = list(parents.get(unique_id, []))
        while pending:
            node = pending.pop()
            if node not in found:
                found.add(node)
                pending.extend(parents.get(node, []))
        return found

    rules = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and (node.get("test_metadata") or {}).get("name") == "column_rules"
    ]
    assert len(rules) > 40
    stray = [
        (node["attached_node"], parent)
        for node in rules
        for parent in node["depends_on"]["nodes"]
        if parent != node["attached_node"] and parent not in upstream(node["attached_node"])
    ]
    assert stray == []


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [
        ("scale_code", "no_such_scale", "relationships"),
        ("match_method", "guessed", "accepted_values"),
    ],
)
def test_a_merged_data_test_fails_for_any_of_its_columns(
    tiny_warehouse: Warehouse, tmp_path: Path, column: str, value: str, rule: str
) -> None:
    """A model's rules other than its key are one test node (tests/generic/column_rules.sql):
    a bad value in any listed column still fails the build, and the failing rows name the
    rule and the column."""
    database = tmp_path / "injected.duckdb"
    database.write_bytes(tiny_warehouse.database.read_bytes())
    table = "intermediate.int_answers__normalised"
    with duckdb.connect(str(database)) as connection:
        connection.execute(
            f"update {table} set {column} = ? where rowid = (select min(rowid) from {table})",
            [value],
        )
    target = tmp_path / "target"
    with pytest.raises(DbtRunError) as raised:
        run_dbt(
            ["test", "--select", "int_answers__normalised", "--exclude-resource-type", "unit_test"],
            paths(),
            target_path=target,
            duckdb_path=database,
            landing_dir=tiny_warehouse.landing,
        )
    failing_test = "column_rules_int_answers__normalised"
    failed = [failure for failure in raised.value.failures if failing_test in failure.unique_id]
    assert [failure.status for failure in failed] == ["fail"], raised.value.failures
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    (compiled,) = [r["compiled_code"] for r in results if r["unique_id"] == failed[0].unique_id]
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(compiled).fetchall()
    assert [(row[0], row[1]) for row in rows] == [(rule, column)]


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("staging.stg_operations__roster", "record_key"),
        ("staging.stg_google_forms__answers", "response_record_key, question_id, value_position"),
        # A key of several columns, and a second key of a seed.
        ("intermediate.int_answers__normalised", "source_system, response_record_key, item_code"),
        ("catalog.indicators", "indicator_symbol"),
        ("catalog.scale_labels", "scale_code, value_code"),
        # Published: a dim without a contract's primary key, and a Python model.
        ("marts.dim_cohorts", "cohort_code"),
        ("marts.fct_indicator_results", "indicator_result_key"),
    ],
)
def test_a_duplicated_key_fails_the_data_tests(
    tiny_warehouse: Warehouse, tmp_path: Path, table: str, key: str
) -> None:
    """Keys are checked in their model's or seed's column_rules test on DuckDB
    (tests/generic/column_rules.sql): a row whose key another row already has fails it, and
    the failing rows name the rule and the key's columns."""
    database = tmp_path / "injected.duckdb"
    database.write_bytes(tiny_warehouse.database.read_bytes())
    columns = [column.strip() for column in key.split(",")]
    with duckdb.connect(str(database)) as connection:
        first, second = connection.execute(
            f"select rowid from {table} order by rowid limit 2"
        ).fetchall()
        # The second row takes the first row's key, every other column unchanged.
        assignments = ", ".join(
            f"{column} = (select {column} from {table} where rowid = {first[0]})"
            for column in columns
        )
        connection.execute(f"update {table} set {assignments} where rowid = {second[0]}")
    target = tmp_path / "target"
    model = table.split(".")[1]
    with pytest.raises(DbtRunError) as raised:
        run_dbt(
            ["test", "--select", model, "--exclude-resource-type", "unit_test"],
            paths(),
            target_path=target,
            duckdb_path=database,
            landing_dir=tiny_warehouse.landing,
        )
    failed = [
        failure
        for failure in raised.value.failures
        if f"column_rules_{model}" in failure.unique_id and failure.status == "fail"
    ]
    assert failed, raised.value.failures
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = [
            row
            for failure in failed
            for result in results
            if result["unique_id"] == failure.unique_id
            for row in connection.execute(result["compiled_code"]).fetchall()
        ]
    assert ("unique", ", ".join(columns), 1) in [(row[0], row[1], row[3]) for row in rows]


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("marts.fct_outputs", "fiscal_year"),
        ("reporting.rpt_outputs", "is_suppressed"),
        ("reporting.rpt_outputs", "outputs_key"),
    ],
)
def test_a_published_table_refuses_a_null_in_a_required_column(
    tiny_warehouse: Warehouse, tmp_path: Path, table: str, column: str
) -> None:
    """On DuckDB the published tables' contracts hold their not_null columns and keys as
    constraints (the tests that checked them are disabled there): a null cannot be written."""
    database = tmp_path / "injected.duckdb"
    database.write_bytes(tiny_warehouse.database.read_bytes())
    with duckdb.connect(str(database)) as connection, pytest.raises(duckdb.ConstraintException):
        connection.execute(
            f"update {table} set {column} = null where rowid = (select min(rowid) from {table})"
        )


def test_docs_generate_documents_every_column(tiny_warehouse: Warehouse, tmp_path: Path) -> None:
    run = run_dbt(
        ["docs", "generate"],
        paths(),
        target_path=tmp_path / "docs-target",
        duckdb_path=tiny_warehouse.database,
        landing_dir=tiny_warehouse.landing,
    )
    catalog = json.loads((run.target_path / "catalog.json").read_text(encoding="utf-8"))
    manifest = json.loads((run.target_path / "manifest.json").read_text(encoding="utf-8"))
    assert {"model.impact_warehouse.int_answers__normalised", "seed.impact_warehouse.waves"} <= set(
        catalog["nodes"]
    )
    for unique_id, built in catalog["nodes"].items():
        node = manifest["nodes"][unique_id]
        assert node["description"], f"{unique_id} has no description"
        documented = {name for name, column in node["columns"].items() if column["description"]}
        assert {name.lower() for name in built["columns"]} == documented, unique_id


# --------------------------------------------------------------------------- demo data


@pytest.fixture(scope="module")
def demo_warehouse(demo_warehouse_for_seed: Callable[[int], Any]) -> Warehouse:
    """The session's shared demo build (tests/transform/conftest.py)."""
    build = demo_warehouse_for_seed(2025)
    return Warehouse(build.landing, build.database, build.run)


def test_demo_builds_green_and_keeps_every_landed_record(demo_warehouse: Warehouse) -> None:
    assert not set(demo_warehouse.run.node_statuses.values()) - {"success", "pass", "warn"}
    assert_staging_keeps_every_landed_record(demo_warehouse)
    forms_answers, panel_answers = expected_answer_rows(demo_warehouse.landing)
    assert demo_warehouse.scalar("select count(*) from staging.stg_google_forms__answers") == (
        forms_answers
    )
    assert demo_warehouse.scalar("select count(*) from staging.stg_panel_file__answers") == (
        panel_answers
    )


def test_demo_landing_fields_are_declared_in_sources(demo_warehouse: Warehouse) -> None:
    assert_landing_fields_are_declared(demo_warehouse)


def test_demo_out_of_scale_flags_match_quarantine(demo_warehouse: Warehouse) -> None:
    assert assert_flags_match_quarantine(demo_warehouse) > 0


def test_demo_full_width_digits_become_valid_numbers(demo_warehouse: Warehouse) -> None:
    full_width = demo_warehouse.query(
        "select answer_text, answer_text_normalised, value_numeric, is_valid "
        "from intermediate.int_answers__normalised "
        "where answer_text <> answer_text_normalised "
        "and scale_code in ('score10', 'anxiety10', 'hours')"
    )
    assert full_width, "the demo data should contain full-width digits"
    for raw, normalised, value, valid in full_width:
        if valid:
            assert value == float(normalised), raw
