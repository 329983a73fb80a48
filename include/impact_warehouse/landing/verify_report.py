"""What ``impact verify`` found and did, and how it is told to the operator (Japanese)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Finding:
    """One problem found: the file, what is wrong (plain Japanese) and what was done."""

    path: Path
    problem: str  # code: lost_part, damaged_sidecar, missing_sidecar, ...
    message: str  # Japanese, for operators
    repaired: bool
    action: str  # Japanese: what verify did, or what a person must do


@dataclass
class VerifyReport:
    findings: list[Finding] = field(default_factory=list)
    folders_checked: int = 0
    parts_checked: int = 0
    watermark_resets: dict[str, str | None] = field(default_factory=dict)  # form → new mark

    @property
    def unrepaired(self) -> list[Finding]:
        return [finding for finding in self.findings if not finding.repaired]


def format_report(report: VerifyReport, *, repair: bool) -> str:
    """Plain Japanese lines for the operator, one per finding."""
    lines = [
        f"ランディングを確認しました: フォルダ {report.folders_checked}、"
        f"ファイル {report.parts_checked}。"
    ]
    if not report.findings:
        lines.append("問題は見つかりませんでした。")
        return "\n".join(lines)
    for finding in report.findings:
        status = "修復済み" if finding.repaired else "要対応"
        lines.append(f"[{status}] {finding.path}: {finding.message} → {finding.action}")
    for form_id, mark in sorted(report.watermark_resets.items()):
        where = mark or "最初"
        lines.append(f"フォーム {form_id} の取り込み位置を {where} に戻しました。")
    if report.unrepaired:
        hint = "" if repair else "（--check を付けずに実行すると修復します）"
        lines.append(f"未修復の問題が {len(report.unrepaired)} 件あります{hint}。")
    else:
        lines.append("すべて修復しました。impact pull で取り込みを再開してください。")
    return "\n".join(lines)
