"""The run summary: what was received, landed, skipped as already landed, quarantined (by
reason), normalised, and which questions matched nothing. One per source unit per run.

The balance every source keeps (issue 11): each record received is landed, skipped as
already landed, or rejected whole with a quarantine reason:
``received == landed + already_landed + rejected``. ``quarantined`` counts reasons instead
(an answer-level reason such as ``out_of_scale`` sits on a record that still lands), and only
those not reported by an earlier run.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from impact_warehouse.landing.store import utc_now, write_atomically


@dataclass
class SourceSummary:
    source: str  # google_forms | panel_file | operations
    source_ref: str
    wave_code: str | None = None
    received: int = 0
    landed: int = 0
    already_landed: int = 0
    # Records received but not landed, each with a quarantine reason (counted on every run,
    # also when the same rejection was stored by an earlier run).
    rejected: int = 0
    # Files (or workbook sheets) that could not be read at all, by reason; their records
    # are unknown, so they are outside the record balance.
    rejected_files: Counter[str] = field(default_factory=Counter)
    quarantined: Counter[str] = field(default_factory=Counter)
    normalised: Counter[str] = field(default_factory=Counter)
    unmatched_questions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    watermark: str | None = None

    def is_balanced(self) -> bool:
        return self.received == self.landed + self.already_landed + self.rejected

    def as_dict(self) -> dict[str, Any]:
        document = asdict(self)
        document["balanced"] = self.is_balanced()
        document["rejected_files"] = dict(sorted(self.rejected_files.items()))
        document["quarantined"] = dict(sorted(self.quarantined.items()))
        document["normalised"] = dict(sorted(self.normalised.items()))
        return document


def merge_summaries(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    """Totals over all units of one run, plus the units themselves."""
    quarantined: Counter[str] = Counter()
    normalised: Counter[str] = Counter()
    rejected_files: Counter[str] = Counter()
    for summary in summaries:
        quarantined.update(summary["quarantined"])
        rejected_files.update(summary.get("rejected_files", {}))
        normalised.update(summary["normalised"])
    return {
        "units": summaries,
        "received": sum(summary["received"] for summary in summaries),
        "landed": sum(summary["landed"] for summary in summaries),
        "already_landed": sum(summary["already_landed"] for summary in summaries),
        "rejected": sum(summary.get("rejected", 0) for summary in summaries),
        "rejected_files": dict(sorted(rejected_files.items())),
        "quarantined": dict(sorted(quarantined.items())),
        "quarantined_total": sum(quarantined.values()),
        "normalised": dict(sorted(normalised.items())),
        "unmatched_questions": [
            f"{summary['source_ref']}: {question}"
            for summary in summaries
            for question in summary["unmatched_questions"]
        ],
    }


def write_run_summary(run_dir: Path, run_id: str, summary: dict[str, Any]) -> Path:
    safe_run_id = "".join(c if c.isalnum() or c in "-_." else "_" for c in run_id)
    path = run_dir / f"{safe_run_id}.json"
    document = {"run_id": run_id, "written_at": utc_now(), **summary}
    write_atomically(path, [json.dumps(document, ensure_ascii=False, indent=2)])
    return path


def format_run_summary(summary: dict[str, Any]) -> str:
    """Human-readable lines for logs and the CLI."""
    lines = [
        f"received {summary['received']}, landed {summary['landed']}, "
        f"already landed {summary['already_landed']}, rejected {summary.get('rejected', 0)}, "
        f"quarantine reasons {summary['quarantined_total']}"
    ]
    for unit in summary["units"]:
        quarantined = ", ".join(f"{k}={v}" for k, v in unit["quarantined"].items()) or "none"
        lines.append(
            f"  {unit['source']}:{unit['source_ref']} received={unit['received']} "
            f"landed={unit['landed']} already={unit['already_landed']} "
            f"rejected={unit.get('rejected', 0)} quarantined: {quarantined}"
        )
    for reason, count in summary.get("rejected_files", {}).items():
        lines.append(f"  files not read ({reason}): {count}")
    for question in summary["unmatched_questions"]:
        lines.append(f"  unmatched question (reported, kept in landing): {question}")
    return "\n".join(lines)
