"""The Spark session a build gets: its own warehouse and metastore, catalog text kept as text.

A session reused across builds in one process must not carry the first build's warehouse
into the second (static settings cannot change on a running session), and Spark's
``${env:…}`` substitution must not turn a catalog label into an environment variable.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from impact_warehouse.transform.spark_session import (
    get_session,
    java_executable,
    spark_dir,
    stop_session,
)

# The end-to-end tier (make test-all): a Spark session.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        java_executable() is None,
        reason="no Java runtime (Spark needs Java 17: apt-get install openjdk-17-jre-headless)",
    ),
]


@pytest.fixture
def stopped_after() -> Iterator[None]:
    yield
    stop_session()


def test_a_build_into_another_work_folder_gets_its_own_warehouse(
    tmp_path: Path, stopped_after: None
) -> None:
    first = get_session(master="local[1]", work=tmp_path / "first")
    first.sql("create table kept_in_first as select 1 as answer")
    second = get_session(work=tmp_path / "second")

    warehouse = second.sparkContext.getConf().get("spark.sql.warehouse.dir")
    assert warehouse.removeprefix("file:") == str(spark_dir(tmp_path / "second") / "warehouse")
    assert not second.catalog.tableExists("kept_in_first")
    assert get_session(work=tmp_path / "second") is second  # same folder: reused


def test_catalog_text_is_not_substituted_from_the_environment(
    tmp_path: Path, stopped_after: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMPACT_TEST_SECRET", "hunter2")
    session = get_session(master="local[1]", work=tmp_path)
    (label,) = session.sql("select '${env:IMPACT_TEST_SECRET}' as label").first()
    assert label == "${env:IMPACT_TEST_SECRET}"
