"""Deterministic, seeded demo sources: Google Forms exports, panel deliveries, operations books.

``generate_demo_sources`` writes everything the pipeline reads, as of a given day, so the demo
and the tests run without any real data. The FY2025 data reproduce every figure of the FY2025
impact report (fy2025_targets); other years are plausible. See ``demo/README.md``.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from impact_warehouse.catalog import Catalog, Wave, load_catalog
from impact_warehouse.demo.generator.answers import WavePlan, generic_plan, generic_respondents
from impact_warehouse.demo.generator.covariates import add_participant_covariates
from impact_warehouse.demo.generator.dirt import DirtLog, apply_answer_dirt
from impact_warehouse.demo.generator.forms import build_form
from impact_warehouse.demo.generator.fy2025_answers import followup_plan, short_term_plans
from impact_warehouse.demo.generator.fy2025_targets import FY2025_WAVES
from impact_warehouse.demo.generator.instrument import items_asked
from impact_warehouse.demo.generator.operations import (
    OperationsWorkbook,
    measure_type_labels,
)
from impact_warehouse.demo.generator.operations import file_name as operations_file_name
from impact_warehouse.demo.generator.outputs import CONTACTS, ContactLog, OutputTree
from impact_warehouse.demo.generator.panel import PanelDelivery, file_stem
from impact_warehouse.demo.generator.people import Population, build_population
from impact_warehouse.demo.generator.responses import ResponsesFile, draft_responses
from impact_warehouse.demo.generator.seeding import rng_for
from impact_warehouse.demo.generator.timestamps import cutoff_ms
from impact_warehouse.demo.generator.voices import add_voices
from impact_warehouse.settings import catalog_dir as configured_catalog_dir

__all__ = ["generate_demo_sources"]

FORMS_DIR = "google_forms/forms"
RESPONSES_DIR = "google_forms/responses"
PANEL_DIR = "inbox/panel"
OPERATIONS_DIR = "inbox/operations"


def generate_demo_sources(
    out_dir: Path,
    *,
    seed: int = 2025,
    as_of: date | None = None,
    scale: int = 1,
    catalog: Catalog | None = None,
    catalog_dir: Path | None = None,
) -> dict[str, Any]:
    """Write the demo sources under ``out_dir`` as they stand on ``as_of``; return the manifest.

    The same (seed, as_of, scale) always gives byte-identical files. ``scale`` multiplies every
    cohort and the panel; the FY2025 figures hold exactly at any scale.
    """
    if scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale}")
    as_of = as_of or date.today()
    # The folder the catalog was read from also holds the labels the workbooks are typed in.
    catalog_dir = catalog_dir or configured_catalog_dir()
    catalog = catalog or load_catalog(catalog_dir)
    out = OutputTree(out_dir)
    out.remove_previous_run()
    log = DirtLog()
    population = build_population(catalog, seed=seed, scale=scale)
    with ContactLog(out.path(CONTACTS)) as contacts:
        for person in population.persons:
            contacts.add_person(person)
        for rewritten in population.roster_variants.values():
            contacts.add("email", rewritten)
        survey = _SurveyWriter(catalog, population, out, log, contacts, seed=seed, scale=scale)
        survey.write_all(as_of)
    out.record(CONTACTS, {"lines": contacts.lines})
    _write_panels(catalog, out, log, seed=seed, scale=scale, as_of=as_of)
    _write_operations(
        catalog, catalog_dir, population, out, log, seed=seed, scale=scale, as_of=as_of
    )
    manifest = {
        "generator": "impact_warehouse.demo.generator",
        "seed": seed,
        "as_of": as_of.isoformat(),
        "scale": scale,
        "files": dict(sorted(out.files.items())),
        "dirt": log.records,
        "truth_note": f"{CONTACTS} lists every name, address and phone number written: demo only",
    }
    out.write_manifest(manifest)
    return manifest


class _SurveyWriter:
    """Forms and responses of every Google Forms wave open by ``as_of``, in opening order."""

    def __init__(
        self,
        catalog: Catalog,
        population: Population,
        out: OutputTree,
        log: DirtLog,
        contacts: ContactLog,
        *,
        seed: int,
        scale: int,
    ) -> None:
        self.catalog, self.population, self.out = catalog, population, out
        self.log, self.contacts = log, contacts
        self.seed, self.scale = seed, scale
        self._short_term: dict[str, WavePlan] | None = None
        self._last_wording: dict[str, tuple[int, str]] = {}

    def write_all(self, as_of: date) -> None:
        waves = sorted(
            self.catalog.waves.values(), key=lambda wave: (wave.open_date, wave.wave_code)
        )
        for wave in waves:
            if wave.source_system == "google_forms" and wave.open_date <= as_of:
                self._write_wave(wave, as_of)

    def _write_wave(self, wave: Wave, as_of: date) -> None:
        form = build_form(self.catalog, wave)
        form_path = f"{FORMS_DIR}/{form.form_id}.json"
        text = json.dumps(form.resource, ensure_ascii=False, indent=2)
        self.out.path(form_path).write_text(text + "\n", encoding="utf-8")
        self.out.record(form_path, {"questions": len(form.question_ids)})
        self._log_form_quirks(wave)
        plan = self._plan(wave)
        add_voices(self.catalog, plan, seed=self.seed)
        apply_answer_dirt(plan, rng_for(self.seed, "dirt", wave.wave_code))
        add_participant_covariates(self.catalog, plan, self.population, self.seed)
        reported = wave.wave_code in FY2025_WAVES
        drafts = draft_responses(
            self.catalog, wave, plan, self.population, seed=self.seed, reported=reported
        )
        responses_path = f"{RESPONSES_DIR}/{form.form_id}.jsonl"
        writer = ResponsesFile(
            wave, form, plan, self.log, self.contacts, rng_for(self.seed, "faults", wave.wave_code)
        )
        lines = writer.write(self.out.path(responses_path), drafts, cutoff_ms(as_of))
        self.out.record(responses_path, {"lines": lines})

    def _plan(self, wave: Wave) -> WavePlan:
        if wave.wave_code in FY2025_WAVES and wave.wave_type in ("pre", "post"):
            if self._short_term is None:
                self._short_term = short_term_plans(
                    self.catalog, self.population, seed=self.seed, scale=self.scale
                )
            return self._short_term[wave.wave_code]
        if wave.wave_code in FY2025_WAVES:
            return followup_plan(
                self.catalog, wave, self.population, seed=self.seed, scale=self.scale
            )
        rng = rng_for(self.seed, "plan", wave.wave_code)
        people = self.population.people_of(wave.target_cohorts)
        return generic_plan(
            self.catalog, wave, generic_respondents(people, wave.wave_type, rng), rng
        )

    def _log_form_quirks(self, wave: Wave) -> None:
        if wave.wave_type == "post":
            detail = "post forms end with a comment question that is not in the catalog: report it"
            self.log.add("unmatched_question", wave.wave_code, wave.source_ref, None, detail)
        for item in items_asked(self.catalog, wave):
            wording = item.wording_for(wave.fiscal_year) or ""
            previous = self._last_wording.get(item.item_code)
            if previous is not None and previous[1] != wording:
                detail = (
                    f"{item.item_code}: wording differs from FY{previous[0]} (item_wordings.csv)"
                )
                self.log.add("wording_change", wave.wave_code, wave.source_ref, None, detail)
            self._last_wording[item.item_code] = (wave.fiscal_year, wording)


def _file_moment(seed: int, day: date) -> datetime:
    """A fixed time for workbook metadata: from the seed and a data date, never the clock."""
    seconds = rng_for(seed, "file_times").randrange(3600)
    return datetime(day.year, day.month, day.day, 9) + timedelta(seconds=seconds)


def _write_panels(
    catalog: Catalog, out: OutputTree, log: DirtLog, *, seed: int, scale: int, as_of: date
) -> None:
    """A panel delivery arrives once fieldwork has closed."""
    for wave in sorted(catalog.waves.values(), key=lambda wave: (wave.open_date, wave.wave_code)):
        if wave.source_system != "panel_file" or wave.close_date > as_of:
            continue
        delivery = PanelDelivery(catalog, wave, seed, scale, wave.wave_code in FY2025_WAVES, log)
        stem = f"{PANEL_DIR}/{file_stem(wave)}"
        counts = delivery.write(
            out.path(f"{stem}.csv"), out.path(f"{stem}.xlsx"), _file_moment(seed, wave.close_date)
        )
        out.record(f"{stem}.csv", counts)
        out.record(f"{stem}.xlsx", counts)


def _write_operations(
    catalog: Catalog,
    catalog_dir: Path,
    population: Population,
    out: OutputTree,
    log: DirtLog,
    *,
    seed: int,
    scale: int,
    as_of: date,
) -> None:
    """One workbook per fiscal year that has begun, as staff would have it on ``as_of``."""
    labels = measure_type_labels(catalog_dir)
    workbook = OperationsWorkbook(catalog, population, labels, seed, scale, log)
    for fiscal_year in sorted({cohort.fiscal_year for cohort in catalog.cohorts.values()}):
        if catalog.organisation.fiscal_year_start(fiscal_year) > as_of:
            continue
        relative = f"{OPERATIONS_DIR}/{operations_file_name(fiscal_year)}"
        next_year_start = catalog.organisation.fiscal_year_start(fiscal_year + 1)
        fiscal_year_end = next_year_start - timedelta(days=1)
        moment = _file_moment(seed, min(as_of, fiscal_year_end))
        out.record(relative, workbook.write(out.path(relative), fiscal_year, as_of, moment))
