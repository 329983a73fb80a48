"""The methods text describes the catalog's own scales and measures (scales.csv,
scale_measures.csv, scale_labels.csv), not Mamabono's in fixed words."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from impact_warehouse.report.methods import scale_rules_ja
from impact_warehouse.settings import BUILTIN_CATALOG_DIR, PROJECT_ROOT


def _rules(catalog: Path) -> str:
    frames = {
        name: pd.read_csv(catalog / f"{name}.csv")
        for name in ("items", "scales", "scale_measures", "scale_labels")
    }
    return scale_rules_ja(SimpleNamespace(**frames))  # type: ignore[arg-type]


def test_mamabono_methods_state_every_rule_of_its_scales() -> None:
    rules = _rules(BUILTIN_CATALOG_DIR)
    assert "「自信がある」= 6以上、「自信が高い」= 8以上" in rules
    assert "（1 = 最も不安が強い）の設問：「不安がある」= 5以下（少ないほど良い）" in rules
    assert "「不安が強い」= 3以下（少ないほど良い）" in rules
    assert "「肯定的回答」= 「そう思う」「ややそう思う」" in rules
    assert "はい／いいえの設問：「はい」。" in rules


def test_another_organisation_describes_its_own_scales() -> None:
    rules = _rules(PROJECT_ROOT / "examples" / "hataraku_women")
    assert "「孤独を感じる」= 「いつも感じる」「よく感じる」（少ないほど良い）" in rules
    assert "「推奨者」= 9以上、「批判者」= 6以下（少ないほど良い）" in rules
    assert "自信" not in rules and "不安" not in rules
