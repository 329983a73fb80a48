"""``impact verify``: check every landing folder against its manifest and repair what can be.

What is checked, per folder of part files:
- every part listed in the manifest exists and has the listed sha256 (else: lost);
- every part is readable line by line (else: damaged, hence lost);
- every part's key sidecar exists and has the listed sha256 (else: rebuilt from the part);
- every part has a manifest line (a crash window: the line is computed from the part);
- a sidecar without its part (the part was deleted): lost;
- temporaries left by a killed run or a full disk: removed;
- watermark files that cannot be read: removed (the next pull starts from the beginning).

A lost part is moved to ``<landing>/_damaged/`` (when it still exists), its sidecar and manifest
line are dropped so the key index no longer claims its records, and the records are brought
back where the source allows: a Google Form's watermark is moved back to the earliest
lastSubmittedTime the lost part held (the API filter is ``timestamp >= watermark``) or removed
when that is unknown, so the next pull lands them again; panel deliveries and operations
workbooks are read whole from the inbox by every run, so they come back with the next run if
the file is still there; form definitions and question maps are re-landed by every pull.

Every unit is checked under its landing lock, so verify never races an ingest.
"""

from __future__ import annotations

import logging
import shutil
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from impact_warehouse.landing.forms_resends import FINGERPRINTS_FOLDER
from impact_warehouse.landing.lock import WHOLE_SOURCE, landing_lock, sweep_unit_temporaries
from impact_warehouse.landing.manifest import (
    MANIFEST_NAME,
    Manifest,
    PartEntry,
    read_manifest,
    rewrite_manifest,
    sha256_hex,
)
from impact_warehouse.landing.store import (
    LandingIntegrityError,
    Watermarks,
    parse_sidecar,
    sidecar_of,
    utc_now,
)
from impact_warehouse.landing.verify_parts import (
    FORMS,
    LandingFolder,
    check_part,
    recovery_action,
)
from impact_warehouse.landing.verify_report import Finding, VerifyReport
from impact_warehouse.settings import Settings

log = logging.getLogger(__name__)

# Top-level folders of the landing zone that are not sources.
NOT_SOURCES = {"_state", "_runs", "_damaged", "quarantine"}


def _folders(settings: Settings) -> dict[tuple[str, str], list[LandingFolder]]:
    """Folders holding parts (or their leftovers), grouped by landing lock unit."""
    units: dict[tuple[str, str], list[LandingFolder]] = defaultdict(list)
    landing = settings.landing
    if not landing.is_dir():
        return units
    for source_dir in sorted(p for p in landing.iterdir() if p.is_dir()):
        if source_dir.name in NOT_SOURCES or source_dir.name.startswith("."):
            continue
        source = source_dir.name
        for folder in sorted({p.parent for p in source_dir.rglob("*") if _is_store_file(p)}):
            relative = folder.relative_to(source_dir).parts
            kind = relative[0]
            unit_ref = relative[-1] if source == FORMS and len(relative) > 1 else WHOLE_SOURCE
            units[(source, unit_ref)].append(LandingFolder(folder, source, kind, unit_ref))
    quarantine = settings.quarantine
    if quarantine.is_dir():
        for folder in sorted({p.parent for p in quarantine.rglob("*") if _is_store_file(p)}):
            relative = folder.relative_to(quarantine).parts
            source = relative[0]
            unit_ref = relative[-1] if source == FORMS and len(relative) > 1 else WHOLE_SOURCE
            units[(source, unit_ref)].append(LandingFolder(folder, source, "quarantine", unit_ref))
    # Units with no folders still get their temporaries swept and watermarks checked.
    watermarks = settings.state / "watermarks" / FORMS
    if watermarks.is_dir():
        for mark in watermarks.glob("*.json"):
            units.setdefault((FORMS, mark.stem), [])
    return units


def _is_store_file(path: Path) -> bool:
    name = path.name
    return path.is_file() and (
        (name.startswith("part-") and name.endswith((".jsonl", ".keys"))) or name == MANIFEST_NAME
    )


def verify_landing(
    settings: Settings, *, repair: bool = True, timeout: float | None = None
) -> VerifyReport:
    """Check (and with ``repair``, repair) the whole landing zone, one lock unit at a time."""
    report = VerifyReport()
    watermarks = Watermarks(settings.state)
    for (source, unit_ref), folders in sorted(_folders(settings).items()):
        with landing_lock(settings.state, source, unit_ref, timeout=timeout):
            if repair:
                for path in sweep_unit_temporaries(settings, source, unit_ref):
                    report.findings.append(
                        Finding(
                            path,
                            "temporary_file",
                            "中断した取り込み（強制終了やディスク不足）の一時ファイルが残っていました",
                            True,
                            "削除しました",
                        )
                    )
            if source == FORMS and unit_ref != WHOLE_SOURCE:
                _check_watermark(watermarks, unit_ref, report, repair=repair)
            lost_times: list[str | None] = []
            responses_lost = False
            for folder in folders:
                lost = _check_folder(settings, folder, report, repair=repair)
                lost_times += lost
                responses_lost |= bool(lost) and folder.kind == "responses"
            if lost_times and source == FORMS and unit_ref != WHOLE_SOURCE:
                _rewind_form(watermarks, unit_ref, lost_times, report, repair=repair)
            if responses_lost and repair:
                for folder in folders:
                    if folder.kind == FINGERPRINTS_FOLDER:
                        _drop_fingerprint_index(folder, report)
    return report


def _drop_fingerprint_index(folder: LandingFolder, report: VerifyReport) -> None:
    """A lost responses part's fingerprints would still vouch for content no longer landed:
    a re-pulled version with other content would land, and the lost one, sent again, pass as
    already landed. The index is derived data: the next pull that meets a re-sent response
    rebuilds it from the landed responses (forms_resends backfill)."""
    shutil.rmtree(folder.path)
    report.findings.append(
        Finding(
            folder.path,
            "fingerprint_index_dropped",
            f"フォーム {folder.unit_ref} の回答ファイルが失われたため、"
            "再送の照合に使う指紋の一覧が古くなりました",
            True,
            "削除しました。次回の取り込みで、取り込み済みの回答から作り直します",
        )
    )


def _check_watermark(
    watermarks: Watermarks, form_id: str, report: VerifyReport, *, repair: bool
) -> None:
    try:
        watermarks.get(FORMS, form_id)
    except LandingIntegrityError as error:
        path = watermarks.directory / FORMS / f"{form_id}.json"
        if repair:
            watermarks.reset(FORMS, form_id, None, reason="unreadable watermark file")
            report.watermark_resets[form_id] = None
        report.findings.append(
            Finding(
                path,
                "unreadable_watermark",
                f"フォーム {form_id} の取り込み位置（ウォーターマーク）のファイルが"
                f"壊れています ({error})",
                repair,
                "削除しました。次回の取り込みでこのフォームの回答を最初から確認します"
                "（取り込み済みの回答は二重になりません）"
                if repair
                else "impact verify で修復できます",
            )
        )


def _check_folder(
    settings: Settings, folder: LandingFolder, report: VerifyReport, *, repair: bool
) -> list[str | None]:
    """Check one folder; returns, per lost part, the earliest submit time it held (or None)."""
    report.folders_checked += 1
    manifest = read_manifest(folder.path)
    kept: dict[str, PartEntry] = dict(manifest.entries)
    rewrite = bool(manifest.torn_lines)
    lost: list[str | None] = []
    # Only a form's responses and quarantine come back by pulling again from an earlier mark.
    rewinds_watermark = folder.source == FORMS and folder.kind in ("responses", "quarantine")
    if manifest.torn_lines:
        report.findings.append(_torn_manifest(folder, manifest, repair=repair))
    parts = {p.name: p for p in folder.path.glob("part-*.jsonl")}
    orphan_sidecars = {
        p.with_suffix(".jsonl").name: p
        for p in folder.path.glob("part-*.keys")
        if p.with_suffix(".jsonl").name not in parts
    }
    for name in sorted(parts):
        report.parts_checked += 1
        outcome = check_part(settings, folder, parts[name], manifest, report, repair=repair)
        if outcome == "lost":
            if rewinds_watermark:
                lost.append(_earliest_submit_time(folder, sidecar_of(parts[name]), manifest))
            if repair:
                _set_aside(settings, parts[name])
                sidecar_of(parts[name]).unlink(missing_ok=True)
                kept.pop(name, None)
                rewrite = True
        elif isinstance(outcome, PartEntry):
            kept[name] = outcome
            rewrite = True
    for name in sorted(set(manifest.entries) - set(parts) | set(orphan_sidecars)):
        sidecar = folder.path / name.replace(".jsonl", ".keys")
        report.findings.append(
            Finding(
                folder.path / name,
                "missing_part",
                f"取り込み済みのファイル {name} がありません（削除された可能性があります）",
                repair,
                recovery_action(folder) if repair else "impact verify で修復できます",
            )
        )
        if rewinds_watermark:
            lost.append(_earliest_submit_time(folder, sidecar, manifest))
        if repair:
            sidecar.unlink(missing_ok=True)
            kept.pop(name, None)
            rewrite = True
    if repair and rewrite:
        rewrite_manifest(folder.path, list(kept.values()))
    return lost


def _torn_manifest(folder: LandingFolder, manifest: Manifest, *, repair: bool) -> Finding:
    return Finding(
        folder.path / MANIFEST_NAME,
        "torn_manifest_line",
        f"マニフェストの {manifest.torn_lines} 行目が読めません（書き込み中の中断）",
        repair,
        "読めない行を除いて書き直しました" if repair else "impact verify で修復できます",
    )


def _earliest_submit_time(folder: LandingFolder, sidecar: Path, manifest: Manifest) -> str | None:
    """For a lost Forms responses part: the earliest lastSubmittedTime its keys name (keys are
    ``responseId|lastSubmittedTime``), read from the sidecar when it is intact; else None."""
    if not (folder.source == FORMS and folder.kind == "responses") or not sidecar.exists():
        return None
    data = sidecar.read_bytes()
    entry = manifest.get(sidecar.with_suffix(".jsonl").name)
    if entry is not None and sha256_hex(data) != entry.keys_sha256:
        return None
    try:
        keys = parse_sidecar(sidecar, data)
    except LandingIntegrityError:
        return None
    times = [key.rsplit("|", 1)[-1] for key in keys if "|" in key]
    if not times or not all(_is_zoned_timestamp(time) for time in times):
        return None
    return min(times)


def _is_zoned_timestamp(text: str) -> bool:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).tzinfo is not None
    except ValueError:
        return False


def _rewind_form(
    watermarks: Watermarks,
    form_id: str,
    lost_times: list[str | None],
    report: VerifyReport,
    *,
    repair: bool,
) -> None:
    """Move the form's watermark back so the next pull lands the lost records again."""
    target = None if None in lost_times else min(t for t in lost_times if t is not None)
    if not repair:
        return
    if watermarks.reset(FORMS, form_id, target, reason="impact verify: a landed part was lost"):
        report.watermark_resets[form_id] = target
        log.warning("form %s watermark reset to %s after a lost part", form_id, target)


def _set_aside(settings: Settings, part: Path) -> None:
    """Keep a damaged part for investigation, out of the landing globs and the key index."""
    relative = part.relative_to(settings.landing)
    target = settings.landing / "_damaged" / relative.parent / f"{part.name}.{utc_now()}"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(part, target)
