"""The project's table materialization on DuckDB (dbt_project/macros/materializations/table.sql):
a rebuild replaces a model's table, a model that fails keeps the previous one, SQL and Python
models alike, comments are persisted, and a configuration it does not build is refused by name.

A small project of its own, with the project's materialization and profile, so each build
takes seconds and a model can be made to fail on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from impact_warehouse.settings import paths
from impact_warehouse.transform.dbt_runner import DBT_PROJECT_DIR, DbtRunError, run_dbt

GENERIC_TESTS = (
    "column_rules",
    "not_null_columns",
    "relationships_columns",
    "accepted_values_columns",
    "expression_is_true",
)

PROJECT = """
name: lean_table_check
version: "1.0"
config-version: 2
profile: impact_warehouse
macro-paths: ["macros"]
models:
  lean_table_check:
    +materialized: table
    +persist_docs:
      relation: true
      columns: true
"""

ANSWER = """
{% if var('fail_sql', false) %}
select error('the model fails on purpose') as answer_value
{% else %}
select {{ var('value', 1) }} as answer_value
{% endif %}
"""

DOUBLED = """
def model(dbt, session):
    if dbt.config.get("fail_python"):
        raise ValueError("the Python model fails on purpose")
    frame = dbt.ref("answer").df()
    return frame.assign(doubled_value=frame["answer_value"] * 2)[["doubled_value"]]
"""

PROPERTIES = """
version: 2
models:
  - name: answer
    description: One row with the answer.
    columns:
      - name: answer_value
        description: The answer itself.
      - name: not_built
        description: Documented, but the model has no such column.
  - name: doubled
    description: The answer twice over.
    config:
      fail_python: "{{ var('fail_python', false) }}"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "models").mkdir(parents=True)
    (root / "macros").mkdir()
    (root / "dbt_project.yml").write_text(PROJECT, encoding="utf-8")
    shutil.copy(DBT_PROJECT_DIR / "profiles.yml", root / "profiles.yml")
    for macro in ("table.sql", "column_comments.sql"):
        shutil.copy(DBT_PROJECT_DIR / "macros" / "materializations" / macro, root / "macros")
    (root / "models" / "answer.sql").write_text(ANSWER, encoding="utf-8")
    (root / "models" / "doubled.py").write_text(DOUBLED, encoding="utf-8")
    (root / "models" / "_models.yml").write_text(PROPERTIES, encoding="utf-8")
    return root


def build(project: Path, **variables: object) -> Path:
    work = project.parent
    run_dbt(
        ["run"],
        paths(),
        target_path=work / "target",
        duckdb_path=work / "check.duckdb",
        landing_dir=work,
        project_dir=project,
        vars=variables or None,
    )
    return work / "check.duckdb"


def tables(database: Path) -> dict[str, int]:
    """Each table of the main schema and its one value."""
    with duckdb.connect(str(database), read_only=True) as connection:
        names = [row[0] for row in connection.execute("show tables").fetchall()]
        return {name: connection.execute(f'select * from "{name}"').fetchone()[0] for name in names}


def test_a_rebuild_replaces_sql_and_python_tables(project: Path) -> None:
    database = build(project, value=1)
    assert tables(database) == {"answer": 1, "doubled": 2}
    build(project, value=21)
    assert tables(database) == {"answer": 21, "doubled": 42}


def test_a_failed_sql_model_keeps_its_previous_table(project: Path) -> None:
    database = build(project, value=7)
    with pytest.raises(DbtRunError, match="answer"):
        build(project, fail_sql=True)
    # The drop and the create were one transaction: the failed create rolled the drop back.
    assert tables(database) == {"answer": 7, "doubled": 14}


def test_a_failed_python_model_keeps_its_previous_table(project: Path) -> None:
    database = build(project, value=5)
    with pytest.raises(DbtRunError, match="doubled"):
        build(project, value=6, fail_python=True)
    assert tables(database) == {"answer": 6, "doubled": 10}


def test_descriptions_become_comments(project: Path) -> None:
    """The comments are written once per column the table has (macros/materializations/
    column_comments.sql); a documented column the model lacks is skipped, not an error."""
    database = build(project)
    with duckdb.connect(str(database), read_only=True) as connection:
        table = connection.execute(
            "select comment from duckdb_tables() where table_name = 'answer'"
        ).fetchone()
        column = connection.execute(
            "select comment from duckdb_columns() where column_name = 'answer_value'"
        ).fetchone()
    assert table == ("One row with the answer.",)
    assert column == ("The answer itself.",)


CONTRACTED = """
version: 2
models:
  - name: contracted
    description: A model with an enforced contract.
    config:
      contract:
        enforced: true
    columns:
      - name: contracted_value
        data_type: integer
        description: The value the contract names.
"""


def test_a_relation_comments_in_one_statement_looking_up_columns_only_without_contract(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """persist_docs sends a relation's table and column comments as one statement; the columns
    are looked up (to skip documented ones the table lacks) only for a model whose contract is
    not enforced: an enforced contract has just created exactly its documented columns."""
    from dbt.adapters.duckdb.environments import local

    (project / "models" / "contracted.sql").write_text(
        "select 1::integer as contracted_value", encoding="utf-8"
    )
    (project / "models" / "_contracted.yml").write_text(CONTRACTED, encoding="utf-8")
    executed: list[str] = []
    original = local.DuckDBCursorWrapper.execute

    def recording(self, sql, bindings=None):  # type: ignore[no-untyped-def]
        executed.append(" ".join(sql.split()).lower())
        return original(self, sql, bindings)

    monkeypatch.setattr(local.DuckDBCursorWrapper, "execute", recording)
    database = build(project)

    def statements(model: str, kind: str) -> list[str]:
        return [sql for sql in executed if kind in sql and f'"{model}"' in sql]

    for model in ("answer", "contracted"):
        (comments,) = statements(model, "comment on table")
        assert "comment on column" in comments
    # dbt-duckdb's get_columns_in_relation: select column_name, … from (describe <relation>)
    assert statements("answer", "select column_name")
    assert not statements("contracted", "select column_name")
    with duckdb.connect(str(database), read_only=True) as connection:
        assert connection.execute(
            "select comment from duckdb_columns() where column_name = 'contracted_value'"
        ).fetchone() == ("The value the contract names.",)


def test_a_configuration_it_does_not_build_is_refused_by_name(project: Path) -> None:
    (project / "models" / "indexed.sql").write_text(
        "{{ config(indexes=[{'columns': ['answer_value']}]) }}\nselect 1 as answer_value\n",
        encoding="utf-8",
    )
    with pytest.raises(DbtRunError, match="indexed") as raised:
        build(project)
    (failure,) = raised.value.failures
    assert "indexed configures indexes" in failure.message
    assert "macros/materializations/table.sql" in failure.message


def test_an_accepted_value_with_a_quote_is_one_value(project: Path) -> None:
    """accepted_values_columns (through column_rules) doubles a quote inside a value: pasted
    as it was, "zz', 'it''s" accepted "it's" too, so an unexpected value passed unseen."""
    generic = project / "tests" / "generic"
    generic.mkdir(parents=True)
    for test in GENERIC_TESTS:
        shutil.copy(DBT_PROJECT_DIR / "tests" / "generic" / f"{test}.sql", generic)
    (project / "models" / "words.sql").write_text(
        "select * from (values ('it''s'), ('zz')) as words(word)\n", encoding="utf-8"
    )
    (project / "models" / "_words.yml").write_text(
        "version: 2\nmodels:\n  - name: words\n    data_tests:\n      - column_rules:\n"
        "          arguments:\n            accepted_values:\n"
        "              - {column: word, values: [\"zz', 'it''s\"]}\n",
        encoding="utf-8",
    )
    work = project.parent
    with pytest.raises(DbtRunError, match="column_rules_words"):
        run_dbt(
            ["build", "--select", "words"],
            paths(),
            target_path=work / "target",
            duckdb_path=work / "check.duckdb",
            landing_dir=work,
            project_dir=project,
        )
