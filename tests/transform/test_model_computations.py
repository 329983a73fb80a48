"""The dbt Python models' computations in worker processes (transform/model_computations.py):
the same frames as in the calling process, a failed worker's computation made here, dbt's
process spared the statistics libraries, and the pool's size read from its setting."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from impact_warehouse import worker_process
from impact_warehouse.settings import paths
from impact_warehouse.transform import computed_once, dbt_runner, model_computations
from impact_warehouse.transform.catalog_seeds import DBT_PROJECT_DIR
from impact_warehouse.transform.dbt_runner import run_dbt
from impact_warehouse.transform.model_computations import (
    WORKERS_ENV,
    Computation,
    model_worker_count,
    model_workers,
)
from impact_warehouse.transform.voices import ANSWER_COLUMNS

# A model's computation as its file names it: Computation("module:function").
COMPUTATION = re.compile(r'Computation\(\s*"([^"]+)"\s*\)')

CODEBOOK = pd.DataFrame(
    [("work", "learning", "学び", "資格|勉強", 1, None)],
    columns=[
        "item_code", "category_code", "category_ja", "patterns", "display_order",
        "consent_item_code",
    ],
)  # fmt: skip
NO_MANUAL = pd.DataFrame(columns=["response_key", "item_code", "category_code", "note"])


def _answers() -> pd.DataFrame:
    rows = [
        {
            "answer_key": f"gf|r{n}|work",
            "response_key": f"r{n}",
            "fiscal_year": 2025,
            "wave_code": "followup_2025",
            "wave_type": "followup",
            "program_code": "all",
            "respondent_key": f"p-{n}",
            "item_code": "work",
            "value_numeric": None,
            "value_text": text,
        }
        for n, text in enumerate(["資格の勉強を始めた", "公園に行った", "勉強会"])
    ]
    return pd.DataFrame(rows, columns=list(ANSWER_COLUMNS))


VOICE_CODES = Computation("impact_warehouse.transform.voices:compute_voice_codes")


@pytest.fixture
def two_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WORKERS_ENV, "2")


@pytest.mark.usefixtures("two_workers")
def test_a_computation_in_a_worker_gives_the_frame_computed_here(
    caplog: pytest.LogCaptureFixture,
) -> None:
    here = VOICE_CODES(_answers(), CODEBOOK, NO_MANUAL)
    assert len(here) == 2  # two answers match the pattern
    with caplog.at_level(logging.INFO, logger=model_computations.__name__), model_workers():
        in_worker = VOICE_CODES(_answers(), CODEBOOK, NO_MANUAL)
    pd.testing.assert_frame_equal(in_worker, here)
    assert "1 model computations answered by 2 worker processes" in caplog.text
    assert "failed in a worker" not in caplog.text


@pytest.mark.usefixtures("two_workers")
def test_a_computation_whose_worker_fails_is_made_here(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    here = VOICE_CODES(_answers(), CODEBOOK, NO_MANUAL)
    monkeypatch.setattr(worker_process.sys, "executable", "/bin/false")
    with caplog.at_level(logging.INFO, logger=model_computations.__name__), model_workers():
        fallen_back = VOICE_CODES(_answers(), CODEBOOK, NO_MANUAL)
    pd.testing.assert_frame_equal(fallen_back, here)
    assert "compute_voice_codes failed in a worker (dbt model: exit 1" in caplog.text
    assert "0 model computations answered" in caplog.text


@pytest.mark.usefixtures("two_workers")
def test_an_error_in_the_computation_reaches_the_model_as_itself(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Raised in the worker, raised here as itself with the worker's traceback, and not
    computed a second time here (it would only raise again)."""
    with (
        caplog.at_level(logging.INFO, logger=model_computations.__name__),
        model_workers(),
        pytest.raises(AttributeError, match="item_code") as raised,
    ):
        VOICE_CODES(_answers().drop(columns="item_code"), CODEBOOK, NO_MANUAL)
    assert raised.value.__notes__[0].startswith("(raised in a worker process)")
    assert "failed in a worker" not in caplog.text
    assert "1 model computations answered" in caplog.text


def test_only_the_listed_computations_can_be_named() -> None:
    with pytest.raises(ValueError, match="'os:system' is not a model computation"):
        Computation("os:system")


@pytest.mark.parametrize(
    ("setting", "cores", "expected"),
    [
        ("", 1, 0),
        ("", 2, 2),
        ("", 16, model_computations.MAX_WORKERS),
        ("0", 8, 0),
        ("3", 1, 3),
        (str(model_computations.MAX_WORKERS), 1, model_computations.MAX_WORKERS),
    ],
)
def test_the_pool_size_follows_the_setting_or_the_usable_cores(
    setting: str, cores: int, expected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(WORKERS_ENV, setting)
    monkeypatch.setattr(model_computations, "usable_cores", lambda: cores)
    assert model_worker_count() == expected


@pytest.mark.parametrize("setting", ["two", "-1", "1.5", "²", "1000", "999", "5"])
def test_a_pool_size_not_a_whole_number_up_to_the_maximum_is_refused_naming_it(
    setting: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(WORKERS_ENV, setting)
    with pytest.raises(ValueError, match=f"{WORKERS_ENV}='{setting}': a whole number"):
        model_worker_count()


def test_a_timeout_of_zero_means_no_workers_and_a_misspelt_one_fails_everywhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """0 would fail every call at once (and start a replacement for each): no workers. The
    timeout is read even when no worker would start, so a typo fails on every machine."""
    monkeypatch.setenv(WORKERS_ENV, "2")
    monkeypatch.setenv(model_computations.TIMEOUT_ENV, "0")
    assert model_worker_count() == 0
    monkeypatch.setenv(WORKERS_ENV, "0")
    monkeypatch.setenv(model_computations.TIMEOUT_ENV, "1 hour")
    with pytest.raises(ValueError, match=model_computations.TIMEOUT_ENV):
        model_worker_count()


def test_the_python_models_do_not_import_the_statistics_libraries_into_dbt() -> None:
    """What a model file runs when dbt loads it (its imports, its Computations) must not load
    scipy or statsmodels: the workers have them, and dbt's threads would wait on the import."""
    models = sorted(str(path) for path in (DBT_PROJECT_DIR / "models").rglob("*.py"))
    assert models
    script = (
        "import sys\n"
        "for path in sys.argv[1:]:\n"
        "    exec(compile(open(path).read(), path, 'exec'), {'__name__': 'model'})\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'scipy', 'statsmodels'}))\n"
    )
    printed = subprocess.run(
        [sys.executable, "-c", script, *models], check=True, capture_output=True, text=True
    ).stdout.splitlines()
    assert printed[-1] == "[]"
    assert all(Path(path).is_file() for path in models)


def test_a_build_hands_its_python_models_to_workers_and_gets_the_same_tables(
    demo_warehouse_for_seed: Callable[[int], Any],  # conftest.DemoBuild
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    demo = demo_warehouse_for_seed(2025)
    sources = {path.stem: path.read_text() for path in (DBT_PROJECT_DIR / "models").rglob("*.py")}
    named = {name for source in sources.values() for name in COMPUTATION.findall(source)}
    assert named and named <= model_computations.COMPUTATIONS
    tables: dict[str, dict[str, pd.DataFrame]] = {}
    for workers in ("2", "0"):
        monkeypatch.setenv(WORKERS_ENV, workers)
        # A shared computation is kept per build by its inputs: each build computes afresh.
        monkeypatch.setattr(computed_once, "_RESULTS", {})
        database = tmp_path / f"workers-{workers}.duckdb"
        shutil.copy(demo.database, database)
        with (
            caplog.at_level(logging.INFO, logger=model_computations.__name__),
            caplog.at_level(logging.INFO, logger=dbt_runner.__name__),
        ):
            run_dbt(
                ["run", "--select", *sorted(sources)],
                paths(),
                target_path=tmp_path / f"target-{workers}",
                duckdb_path=database,
                landing_dir=demo.landing,
            )
        with duckdb.connect(str(database), read_only=True) as connection:
            tables[workers] = {
                model: connection.sql(f"select * from {schema}.{model} order by all").df()
                for schema, model in connection.sql(
                    "select schema_name, table_name from duckdb_tables()"
                ).fetchall()
                if model in sources
            }
    # The workers started when dbt's nodes did (dbt's ConcurrencyLine), not at the first
    # computation: their imports overlap the nodes before the Python models.
    messages = [record.getMessage() for record in caplog.records]
    starting = messages.index("starting 2 worker processes for the dbt models")
    first_node = next(i for i, message in enumerate(messages) if message.startswith("dbt model."))
    assert starting < first_node
    # Every computation the models name went to a worker once (the pairs share one).
    assert f"{len(named)} model computations answered by 2 worker processes" in caplog.text
    assert "failed in a worker" not in caplog.text
    assert sorted(tables["2"]) == sorted(tables["0"]) == sorted(sources)
    for model, table in tables["2"].items():
        pd.testing.assert_frame_equal(table, tables["0"][model], obj=model)
