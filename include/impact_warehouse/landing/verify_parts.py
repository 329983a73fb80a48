"""``impact verify``, one part file: its bytes against the manifest, its key sidecar against
the part, its manifest line; what a person is told when it is lost.

:mod:`impact_warehouse.landing.verify` walks the landing zone and calls :func:`check_part` for
every part of every folder, under the folder's landing lock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from impact_warehouse.landing.forms_resends import FINGERPRINTS_FOLDER
from impact_warehouse.landing.manifest import Manifest, PartEntry, sha256_hex
from impact_warehouse.landing.store import (
    LandingIntegrityError,
    parse_sidecar,
    read_part,
    sidecar_of,
    utc_now,
    write_atomically,
)
from impact_warehouse.landing.verify_report import Finding, VerifyReport
from impact_warehouse.settings import Settings

FORMS = "google_forms"


@dataclass(frozen=True)
class LandingFolder:
    path: Path
    source: str
    kind: str  # responses, forms, question_map, roster, ..., or "quarantine"
    unit_ref: str  # the lock unit: a form id, or WHOLE_SOURCE


def check_part(
    settings: Settings,
    folder: LandingFolder,
    part: Path,
    manifest: Manifest,
    report: VerifyReport,
    *,
    repair: bool,
) -> str | PartEntry | None:
    """``"lost"`` for a damaged part, a new manifest entry when one was (re)computed."""
    entry = manifest.get(part.name)
    try:
        keys, part_sha = read_part(part)
    except LandingIntegrityError as error:
        keys, part_sha, damage = [], "", str(error)
    else:
        damage = ""
        if entry is not None and part_sha != entry.sha256:
            damage = f"sha256 {part_sha[:12]}… (manifest: {entry.sha256[:12]}…)"
    if damage:
        report.findings.append(
            Finding(
                part,
                "damaged_part",
                f"取り込み済みのファイルが壊れています: {damage}",
                repair,
                (
                    f"{settings.landing / '_damaged'} に移しました。" + recovery_action(folder)
                    if repair
                    else "impact verify で修復できます"
                ),
            )
        )
        return "lost"
    sidecar = sidecar_of(part)
    problem = _sidecar_problem(sidecar, keys, entry)
    if problem:
        code, message = problem
        report.findings.append(
            Finding(
                sidecar,
                code,
                message,
                repair,
                "本体のファイルから作り直しました" if repair else "impact verify で修復できます",
            )
        )
        if repair:
            expected_lines = [json.dumps(key, ensure_ascii=False) for key in keys]
            keys_sha = write_atomically(sidecar, expected_lines)
            return PartEntry(part.name, len(keys), part_sha, keys_sha, utc_now())
        return None
    if entry is None:
        return _missing_manifest_entry(part, keys, part_sha, report, repair=repair)
    return None


def _sidecar_problem(
    sidecar: Path, keys: list[str], entry: PartEntry | None
) -> tuple[str, str] | None:
    """What is wrong with a readable part's key sidecar (code, Japanese), or None."""
    if not sidecar.exists():
        return "missing_sidecar", "キー一覧（.keys）がありません"
    data = sidecar.read_bytes()
    if entry is not None and sha256_hex(data) != entry.keys_sha256:
        return "damaged_sidecar", "キー一覧（.keys）が壊れています"
    try:
        if parse_sidecar(sidecar, data) != keys:
            return "damaged_sidecar", "キー一覧（.keys）が本体と一致しません"
    except LandingIntegrityError:
        return "damaged_sidecar", "キー一覧（.keys）が読めません"
    return None


def _missing_manifest_entry(
    part: Path, keys: list[str], part_sha: str, report: VerifyReport, *, repair: bool
) -> PartEntry | None:
    """A part and its sidecar with no manifest line (a crash right after writing them)."""
    report.findings.append(
        Finding(
            part,
            "missing_manifest_entry",
            "マニフェストにこのファイルの行がありません（書き込み直後の中断）",
            repair,
            "本体から行を作りました" if repair else "impact verify で修復できます",
        )
    )
    if not repair:
        return None
    keys_sha = sha256_hex(sidecar_of(part).read_bytes())
    return PartEntry(part.name, len(keys), part_sha, keys_sha, utc_now())


def recovery_action(folder: LandingFolder) -> str:
    if folder.source == FORMS and folder.kind in ("responses", "quarantine"):
        return (
            f"フォーム {folder.unit_ref} の取り込み位置を戻しました。"
            "次回の取り込み（impact pull）で失われた回答をもう一度取得します"
        )
    if folder.source == FORMS and folder.kind == FINGERPRINTS_FOLDER:
        return "次回の取り込みで、取り込み済みの回答から作り直します"
    if folder.source == FORMS:
        return "次回の取り込みでフォームの定義を取り直します"
    return "受信フォルダに元のファイルが残っていれば、次回の取り込みで戻ります"
