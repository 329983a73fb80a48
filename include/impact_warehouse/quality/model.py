"""Result types of the quality gate."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Severity = Literal["failure", "warning"]


@dataclass(frozen=True)
class Finding:
    """One violated condition, located by program / cohort / wave where that applies."""

    check_name: str
    severity: Severity
    program_code: str | None
    cohort_code: str | None
    wave_code: str | None
    observed: float | None
    threshold: float | None
    message_en: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GateResult:
    """Outcome of one gate run: passed is False when any finding is a failure."""

    passed: bool
    findings: list[Finding]
    data_docs_dir: Path | None
    summary: dict[str, Any]

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "failure"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]
