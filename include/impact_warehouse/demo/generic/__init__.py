"""Demo sources for any catalog, from the demo profile in its folder (``demo/*.csv``).

``generate_profile_sources`` writes what the landing code reads, in the built-in demo's
formats: Google Forms resources and responses (served by ``demo/forms_api_server.py``), one
operations workbook per fiscal year begun, and a panel delivery for each comparison wave
closed by ``as_of``. The same catalog, profile, seed and day always give the same bytes.
Unlike the built-in generator it injects no dirt and reproduces no published figure.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from impact_warehouse.catalog import Catalog, Wave, load_catalog
from impact_warehouse.demo.generator.forms import build_form, question_id
from impact_warehouse.demo.generator.operations import file_name as operations_file_name
from impact_warehouse.demo.generator.operations import measure_type_labels
from impact_warehouse.demo.generator.outputs import CONTACTS, ContactLog, OutputTree
from impact_warehouse.demo.generator.panel import file_stem
from impact_warehouse.demo.generator.seeding import response_id, rng_for
from impact_warehouse.demo.generator.timestamps import cutoff_ms, rfc3339, sample_submission_ms
from impact_warehouse.demo.generic.answers import draw_answers
from impact_warehouse.demo.generic.files import write_operations, write_panel
from impact_warehouse.demo.generic.population import ProfilePopulation, build_profile_population
from impact_warehouse.demo.generic.profile import DemoProfile, load_profile

__all__ = ["generate_profile_sources"]

FORMS_DIR = "google_forms/forms"
RESPONSES_DIR = "google_forms/responses"
PANEL_DIR = "inbox/panel"
OPERATIONS_DIR = "inbox/operations"


def generate_profile_sources(
    out_dir: Path, catalog_dir: Path, *, seed: int = 2025, as_of: date | None = None
) -> dict[str, Any]:
    """Write the demo sources of the catalog in ``catalog_dir`` as of ``as_of``; the manifest."""
    as_of = as_of or date.today()
    catalog = load_catalog(catalog_dir)
    profile = load_profile(catalog_dir, catalog)
    people = build_profile_population(catalog, profile, seed)
    out = OutputTree(out_dir)
    out.remove_previous_run()
    waves = sorted(catalog.waves.values(), key=lambda wave: (wave.open_date, wave.wave_code))
    with ContactLog(out.path(CONTACTS)) as contacts:
        for person in people.population.persons:
            contacts.add_person(person)
        for wave in waves:
            if wave.source_system == "google_forms" and wave.open_date <= as_of:
                _write_form_wave(out, catalog, profile, people, wave, seed, as_of)
    out.record(CONTACTS, {"lines": contacts.lines})
    for wave in waves:
        if wave.source_system == "panel_file" and wave.close_date <= as_of:
            stem = f"{PANEL_DIR}/{file_stem(wave)}"
            counts = write_panel(
                out.path(f"{stem}.csv"),
                out.path(f"{stem}.xlsx"),
                catalog,
                profile,
                wave,
                seed,
                _file_moment(seed, wave.close_date),
            )
            out.record(f"{stem}.csv", counts)
            out.record(f"{stem}.xlsx", counts)
    labels = measure_type_labels(catalog_dir)
    for fiscal_year in sorted({cohort.fiscal_year for cohort in catalog.cohorts.values()}):
        if catalog.organisation.fiscal_year_start(fiscal_year) > as_of:
            continue
        relative = f"{OPERATIONS_DIR}/{operations_file_name(fiscal_year)}"
        year_end = catalog.organisation.fiscal_year_start(fiscal_year + 1) - timedelta(days=1)
        moment = _file_moment(seed, min(as_of, year_end))
        counts = write_operations(
            out.path(relative), catalog, people.population, labels, fiscal_year, as_of, moment, seed
        )
        out.record(relative, counts)
    manifest = {
        "generator": "impact_warehouse.demo.generic",
        "catalog": str(catalog_dir),
        "seed": seed,
        "as_of": as_of.isoformat(),
        "scale": 1,
        "files": dict(sorted(out.files.items())),
        "dirt": [],
        "truth_note": f"{CONTACTS} lists every name, address and phone number written: demo only",
    }
    out.write_manifest(manifest)
    return manifest


def _write_form_wave(
    out: OutputTree,
    catalog: Catalog,
    profile: DemoProfile,
    people: ProfilePopulation,
    wave: Wave,
    seed: int,
    as_of: date,
) -> None:
    form = build_form(catalog, wave)
    form_path = f"{FORMS_DIR}/{form.form_id}.json"
    text = json.dumps(form.resource, ensure_ascii=False, indent=2)
    out.path(form_path).write_text(text + "\n", encoding="utf-8")
    out.record(form_path, {"questions": len(form.question_ids)})
    rng = rng_for(seed, "profile", "wave", wave.wave_code)
    responses = []
    for person in people.population.people_of(wave.target_cohorts):
        cohort = profile.cohorts.get(people.cohort_of[person.key])
        if cohort is None or rng.random() >= cohort.response_rates.get(wave.wave_type, 0.0):
            continue
        answers = draw_answers(catalog, profile, wave, person, rng)
        submitted = sample_submission_ms(rng, wave.open_date, wave.close_date)
        responses.append((submitted, response_id(rng), person.email, answers))
    cutoff = cutoff_ms(as_of)
    lines = 0
    responses_path = f"{RESPONSES_DIR}/{form.form_id}.jsonl"
    with out.path(responses_path).open("w", encoding="utf-8", newline="\n") as handle:
        for submitted, identifier, email, answers in sorted(responses):
            if submitted >= cutoff:
                continue
            response = {
                "formId": form.form_id,
                "responseId": identifier,
                "createTime": rfc3339(submitted),
                "lastSubmittedTime": rfc3339(submitted),
                "respondentEmail": email,
                "answers": {
                    question_id(form.form_id, key): {
                        "questionId": question_id(form.form_id, key),
                        "textAnswers": {"answers": [{"value": answers[key]}]},
                    }
                    for key in form.question_ids
                    if key in answers
                },
            }
            handle.write(json.dumps(response, ensure_ascii=False, separators=(",", ":")) + "\n")
            lines += 1
    out.record(responses_path, {"lines": lines})


def _file_moment(seed: int, day: date) -> datetime:
    """A fixed time for workbook metadata: from the seed and a data date, never the clock."""
    seconds = rng_for(seed, "profile", "file_times").randrange(3600)
    return datetime(day.year, day.month, day.day, 9) + timedelta(seconds=seconds)
