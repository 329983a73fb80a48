"""Demo data at a scale, generated once and landed once per scale, cached in a work folder.

At 1000× there are millions of answers; pulling them through the local HTTP server would
measure the ingest benchmark again (ingest_throughput.py does that). Here the generated
responses are landed by the same landing code (land_forms_wave, land_operations, land_panels)
through FileFormsClient, which reads the generated files in pages exactly as the API serves
them, without HTTP. Everything downstream reads the landing zone only, as in production.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from impact_warehouse.catalog import load_catalog
from impact_warehouse.landing.context import LandingContext
from impact_warehouse.landing.forms_job import land_forms_wave
from impact_warehouse.pipeline import ingest
from impact_warehouse.settings import Settings
from impact_warehouse.sources.gc_pause import cyclic_gc_paused
from impact_warehouse.sources.google_forms import ResponsePage

AS_OF = date(2026, 11, 23)
SEED = 2025
PAGE_SIZE = 5000
PSEUDONYM_KEY = b"impact-warehouse-benchmark-key"
_MARKER = "landed.json"


class FileFormsClient:
    """The FormsApiClient interface over generated files (forms/<id>.json, responses/<id>.jsonl).

    Lines that are not JSON objects become ``broken_records`` as the API client makes them.
    """

    def __init__(self, google_forms_dir: Path, page_size: int = PAGE_SIZE) -> None:
        self.directory = google_forms_dir
        self.page_size = page_size

    def get_form(self, form_id: str) -> dict[str, Any]:
        return json.loads((self.directory / "forms" / f"{form_id}.json").read_text("utf-8"))

    def iter_response_pages(self, form_id: str, since: str | None = None) -> Iterator[ResponsePage]:
        path = self.directory / "responses" / f"{form_id}.jsonl"
        page_number = 0
        responses: list[dict[str, Any]] = []
        broken: list[str] = []
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                with cyclic_gc_paused():
                    try:
                        element = json.loads(line)
                    except json.JSONDecodeError:
                        element = line.rstrip("\n")
                if isinstance(element, dict):
                    stamp = element.get("lastSubmittedTime")
                    if since and isinstance(stamp, str) and stamp < since:
                        continue
                    responses.append(element)
                else:
                    broken.append(element if isinstance(element, str) else json.dumps(element))
                if len(responses) + len(broken) >= self.page_size:
                    page_number += 1
                    yield ResponsePage(form_id, page_number, responses, broken, "more")
                    responses, broken = [], []
        page_number += 1
        yield ResponsePage(form_id, page_number, responses, broken, None)


@dataclass(frozen=True)
class LandedScale:
    scale: int
    root: Path
    landing: Path
    responses: int  # landed form responses and panel rows
    generate_seconds: float
    land_seconds: float


def scale_root(work_dir: Path, scale: int) -> Path:
    return work_dir / f"x{scale}"


def landed_scale(work_dir: Path, scale: int) -> LandedScale:
    """The cached landing of ``scale``; generated and landed on first use."""
    root = scale_root(work_dir, scale)
    marker = root / _MARKER
    if marker.exists():
        cached = json.loads(marker.read_text())
        return LandedScale(**{**cached, "root": root, "landing": Path(cached["landing"])})
    from impact_warehouse.demo.generator import generate_demo_sources

    started = time.perf_counter()
    if not _generated(root / "sources", scale):
        generate_demo_sources(root / "sources", seed=SEED, as_of=AS_OF, scale=scale)
    generated = time.perf_counter()
    landing, responses = land_sources(root)
    landed = time.perf_counter()
    result = LandedScale(
        scale=scale,
        root=root,
        landing=landing,
        responses=responses,
        generate_seconds=generated - started,
        land_seconds=landed - generated,
    )
    marker.write_text(
        json.dumps(
            {
                "scale": scale,
                "landing": str(landing),
                "responses": responses,
                "generate_seconds": result.generate_seconds,
                "land_seconds": result.land_seconds,
            }
        )
    )
    return result


def _generated(sources: Path, scale: int) -> bool:
    """True when ``sources`` already holds this scale's complete generation (its manifest is
    written last)."""
    manifest = sources / "manifest.json"
    if not manifest.exists():
        return False
    written = json.loads(manifest.read_text("utf-8"))
    return (written.get("seed"), written.get("as_of"), written.get("scale")) == (
        SEED,
        AS_OF.isoformat(),
        scale,
    )


def land_sources(root: Path) -> tuple[Path, int]:
    """Land ``root/sources`` into ``root/work/landing`` with the production landing code."""
    settings = Settings.for_work_dir(root / "work", root / "sources" / "inbox")
    units = [
        *ingest.land_operations(settings, pseudonym_key=PSEUDONYM_KEY),
        *ingest.land_panels(settings, pseudonym_key=PSEUDONYM_KEY),
    ]
    catalog = load_catalog()
    client = FileFormsClient(root / "sources" / "google_forms")
    waves = ingest.plan_form_waves(catalog, AS_OF, AS_OF, as_of=AS_OF, all_waves=True)
    for wave_code in waves:
        context = LandingContext.create(settings, pseudonym_key=PSEUDONYM_KEY, catalog=catalog)
        try:
            units.append(land_forms_wave(context, catalog.waves[wave_code], client).as_dict())  # type: ignore[arg-type]
        finally:
            context.close()
    ingest.finish_run(settings, "benchmark", units)
    landed = sum(unit["landed"] for unit in units if unit["source"] != "operations")
    return settings.landing, landed
