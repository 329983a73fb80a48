"""The gate's scale domains are the catalog's (scales.csv as built into catalog.scales), not a
list in expectations/gate.yml: a new scale is checked against its own min and max."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb

from impact_warehouse.quality import run_gate
from impact_warehouse.quality.config import load_gate_config
from impact_warehouse.settings import paths

DEMO_AS_OF = date(2026, 11, 23)


def test_gate_yml_lists_no_scale_codes() -> None:
    assert "domains" not in load_gate_config()["scale_domain"]


def test_a_new_scale_is_checked_against_its_seed_range(
    demo_warehouse_path: Path, tmp_path: Path
) -> None:
    database = Path(shutil.copy(demo_warehouse_path, tmp_path / "audit.duckdb"))
    with duckdb.connect(str(database)) as con:
        # A 5-point scale (1–5) the gate has never heard of; two likert4 answers move to it,
        # one with a 5 (inside 1–5, outside likert4's 1–4) and one with a 6 (outside).
        con.execute(
            "insert into catalog.scales (scale_code, value_type, min_value, max_value, step) "
            "values ('agree5', 'code', 1, 5, 1)"
        )
        keys = [
            key
            for (key,) in con.execute(
                "select answer_key from marts.fct_answers where is_counted "
                "and scale_code = 'likert4' order by answer_key limit 2"
            ).fetchall()
        ]
        con.execute(
            "update marts.fct_answers set scale_code = 'agree5', "
            "value_numeric = case when answer_key = ? then 5 else 6 end "
            "where answer_key in (?, ?)",
            [keys[0], *keys],
        )
    result = run_gate(database, paths(), as_of=DEMO_AS_OF, data_docs_dir=tmp_path / "docs")
    findings = [f for f in result.failures if f.check_name == "scale_domain"]
    assert len(findings) == 1, [f.message_en for f in findings]
    finding = findings[0]
    assert finding.details["scale_code"] == "agree5"
    assert (finding.details["min_value"], finding.details["max_value"]) == (1.0, 5.0)
    assert finding.details["answer_keys"] == [keys[1]]
    assert "outside the agree5 scale 1–5" in finding.message_en
