"""Demo voices (demo/generator/voices.py): the consent item is answered from a stream of its
own, and a catalog without it generates the same answers to everything else."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from impact_warehouse.catalog import load_catalog
from impact_warehouse.demo.generator import generate_demo_sources
from impact_warehouse.settings import paths

AS_OF = date(2026, 11, 23)
FORM = "demo-form-followup-2025"


def _answers(root: Path) -> dict[str, dict[str, str]]:
    """responseId → {question title: answer} of the FY2025 follow-up."""
    form = json.loads((root / f"google_forms/forms/{FORM}.json").read_text(encoding="utf-8"))
    titles = {
        item["questionItem"]["question"]["questionId"]: item["title"]
        for item in form["items"]
        if "questionItem" in item
    }
    for item in form["items"]:
        for row in item.get("questionGroupItem", {}).get("questions", []):
            titles[row["questionId"]] = row.get("rowQuestion", {}).get("title", "")
    lines = (root / f"google_forms/responses/{FORM}.jsonl").read_text(encoding="utf-8")
    answers = {}
    for line in lines.splitlines():
        try:
            response = json.loads(line)
        except json.JSONDecodeError:
            continue
        answers[f"{response.get('responseId')}|{response.get('lastSubmittedTime')}"] = {
            titles.get(key, key): value["textAnswers"]["answers"][0]["value"]
            for key, value in response.get("answers", {}).items()
        }
    return answers


def test_consent_comes_from_its_own_stream(tmp_path: Path) -> None:
    with_voices = tmp_path / "with"
    generate_demo_sources(with_voices, seed=2025, as_of=AS_OF, catalog=load_catalog())
    # The same catalog without the consent item (and so without the codebook naming it).
    seeds = tmp_path / "seeds"
    shutil.copytree(paths().seeds, seeds)
    for name in ("items.csv", "item_wordings.csv"):
        path = seeds / name
        kept = [
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if "quote_consent" not in line
        ]
        path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    for name in ("voice_codebook.csv", "voice_manual_codes.csv", "voice_quotes.csv"):
        (seeds / name).unlink()
    without = tmp_path / "without"
    generate_demo_sources(without, seed=2025, as_of=AS_OF, catalog=load_catalog(seeds))

    consent_title = load_catalog().items["quote_consent"].wording_for(2025)
    answered, plain = _answers(with_voices), _answers(without)
    assert answered.keys() == plain.keys()
    consents = [row.get(consent_title) for row in answered.values()]
    assert {"はい", "いいえ"} <= set(consents)
    for key, row in answered.items():
        rest = {title: value for title, value in row.items() if title != consent_title}
        assert rest == plain[key], key
