"""The metric contract ships with the project (docs/metrics.md) and the report's methods
section cites it: every section a methods paragraph names must exist in the document, so a
renamed or dropped definition fails here instead of leaving the report citing nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from impact_warehouse.settings import PROJECT_ROOT

METRICS = PROJECT_ROOT / "docs" / "metrics.md"
METHODS_FILES = sorted(
    (PROJECT_ROOT / "include" / "impact_warehouse" / "report").glob("methods_*.yaml")
)


def metrics_sections(text: str) -> dict[str, str]:
    """``## heading`` → the text under it, up to the next ``## ``."""
    parts = re.split(r"^## +(.+)$", text, flags=re.MULTILINE)
    return {heading.strip(): body for heading, body in zip(parts[1::2], parts[2::2], strict=True)}


def cited_sections(methods_file: Path) -> list[str]:
    return [entry["metrics_section"] for entry in yaml.safe_load(methods_file.read_text("utf-8"))]


def test_the_metric_contract_is_in_the_repository() -> None:
    sections = metrics_sections(METRICS.read_text(encoding="utf-8"))
    assert {"Units", "Scales", "Which answers count", "Measures"} <= set(sections)


@pytest.mark.parametrize("methods_file", METHODS_FILES, ids=lambda path: path.name)
def test_every_methods_paragraph_cites_a_definition_of_the_contract(methods_file: Path) -> None:
    text = METRICS.read_text(encoding="utf-8")
    sections = metrics_sections(text)
    missing = []
    for cited in cited_sections(methods_file):
        heading, _, term = (part.strip() for part in cited.partition("/"))
        # "Measures / Response rate": the heading, then the term inside it. A lone name may be a
        # heading or a term defined (in bold) anywhere in the document.
        # A heading may carry a note in brackets: "Adjusted estimates (beyond the seed report)".
        named = [body for title, body in sections.items() if title.split(" (")[0] == heading]
        if term:
            found = any(term.lower() in body.lower() for body in named)
        else:
            found = bool(named) or f"**{heading.lower()}**" in text.lower()
        if not found:
            missing.append(cited)
    assert not missing, f"{methods_file.name} cites what docs/metrics.md does not define: {missing}"


def test_the_report_and_readme_point_to_the_document() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/metrics.md" in readme
