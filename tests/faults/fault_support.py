"""Helpers of the fault suite (imported by its tests and conftest)."""

from __future__ import annotations

import json
import secrets
import subprocess
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from impact_warehouse.catalog import load_catalog
from impact_warehouse.pipeline import ingest
from impact_warehouse.settings import Settings
from impact_warehouse.sources.google_forms import FormsApiConfig

AS_OF = date(2026, 11, 23)
TOKEN = secrets.token_urlsafe(16)
WORKER = Path(__file__).with_name("ingest_worker.py")


def landed_keys(landing: Path) -> Counter[tuple[str, str]]:
    """(folder, record_key) of every landed record, counted: the multiset a run leaves."""
    keys: Counter[tuple[str, str]] = Counter()
    for part in sorted(landing.rglob("part-*.jsonl")):
        if "_damaged" in part.parts:
            continue
        folder = str(part.parent.relative_to(landing))
        for line in part.read_text(encoding="utf-8").splitlines():
            if line.strip():
                keys[(folder, json.loads(line)["record_key"])] += 1
    return keys


def response_count(keys: Counter[tuple[str, str]]) -> int:
    return sum(n for (folder, _), n in keys.items() if folder.startswith("google_forms/responses/"))


def data_keys(keys: Counter[tuple[str, str]]) -> Counter[tuple[str, str]]:
    """Every store but quarantine."""
    return Counter({key: n for key, n in keys.items() if not key[0].startswith("quarantine/")})


def temporaries(root: Path) -> list[Path]:
    return [p for p in root.rglob(".*") if p.is_file() and ".tmp-" in p.name]


def finish(process: subprocess.Popen[str]) -> tuple[int, list[dict[str, Any]] | None, str]:
    """(return code, unit summaries or None, stderr) of a worker."""
    stdout, stderr = process.communicate(timeout=600)
    lines = [line for line in stdout.splitlines() if line.startswith("[")]
    return process.returncode, (json.loads(lines[-1]) if lines else None), stderr


def run_in_process(settings: Settings, url: str, page_size: int = 5) -> list[dict[str, Any]]:
    """The DAG's sequence in this process (same as ingest_worker.py without the options)."""
    config = FormsApiConfig(
        base_url=url, token=TOKEN, page_size=page_size, backoff_base_seconds=0.01
    )
    waves = ingest.plan_form_waves(load_catalog(), AS_OF, AS_OF, as_of=AS_OF, all_waves=True)
    units = [*ingest.land_operations(settings), *ingest.land_panels(settings)]
    return units + [ingest.land_form_wave(settings, wave, config) for wave in waves]
