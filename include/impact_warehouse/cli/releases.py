"""Commands that read what was published: releases, status, report."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from impact_warehouse.cli.progress import fail, step
from impact_warehouse.ops.calendar import TOKYO
from impact_warehouse.settings import paths

NO_RELEASE_JA = (
    "まだ公開された集計(リリース)がありません。"
    "`impact pull` で取り込んでから `impact publish` を実行してください"
    "(最初から全年度を取り込むなら `impact backfill --from-fy 2022 --to-fy 2026`、"
    "デモなら `impact demo`)。"
)
STATUS_JA = {"passed": "合格", "warning": "注意", "failure": "エラー"}


def _local_time(created_at: str) -> str:
    moment = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    return moment.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M JST")


def run_releases() -> int:
    from impact_warehouse.publish import current_release, list_releases

    releases = list_releases()
    if not releases:
        return fail(NO_RELEASE_JA, f"no release in {paths().work / 'releases'}")
    current = current_release()
    width = max(len(release.release_id) for release in releases)
    print(f"{'':2}{'release':<{width}} {'FY':<6} {'published':<20} gate")
    for release in releases:
        marker = "* " if current and release.release_id == current.release_id else "  "
        gate = release.gate_result
        print(
            f"{marker}{release.release_id:<{width}} {release.fiscal_year:<6} "
            f"{_local_time(release.created_at):<20} "
            f"passed, {gate.get('warnings', 0)} warnings"
        )
    print("(* = current: the file analysts open, published/warehouse.duckdb)")
    return 0


def _outbox_findings(run_id: str) -> list[dict[str, Any]]:
    """Gate alerts sent for the run that made the release (an unchanged, already-sent
    condition is not re-sent, so this can be a subset: the per-check counts are complete)."""
    outbox = paths().work / "outbox" / "alerts.jsonl"
    if not outbox.exists():
        return []
    findings = []
    for line in outbox.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        alert = record.get("alert", {})
        if alert.get("run_id") == run_id and alert.get("kind") in ("gate_failure", "gate_warning"):
            findings.append(record)
    return findings


def status_lines(release: Any) -> list[str]:
    from impact_warehouse.notify.messages import CHECK_LABELS_JA

    gate = release.gate_result
    verdict = "合格(公開済み)" if gate.get("passed") else "不合格"
    lines = [
        f"現在公開中の集計: {release.fiscal_year}年度 (release {release.release_id})",
        f"  公開日時: {_local_time(release.created_at)}  git commit: {release.git_commit}",
        f"  データ確認(品質ゲート): {verdict} — エラー {gate.get('failures', 0)} 件、"
        f"注意 {gate.get('warnings', 0)} 件(判定日 {gate.get('as_of')})",
        "",
        "確認項目ごとの結果:",
    ]
    for name, check in (gate.get("checks") or {}).items():
        status = str(check.get("status", "passed"))
        counts = []
        if check.get("failures"):
            counts.append(f"エラー {check['failures']} 件")
        if check.get("warnings"):
            counts.append(f"注意 {check['warnings']} 件")
        label = CHECK_LABELS_JA.get(name, name)
        extra = f"({'、'.join(counts)})" if counts else ""
        lines.append(f"  [{STATUS_JA.get(status, status)}] {label}{extra}  ({name})")
    findings = _outbox_findings(release.run_id)
    if findings:
        lines += ["", "この公開のときのお知らせ:"]
        lines += [f"  - {record['subject']}" for record in findings]
    docs = release.directory / "data_docs"
    if docs.exists():
        index = next(iter(sorted(docs.rglob("index.html"))), docs)
        lines += ["", f"詳しい確認結果 (Great Expectations Data Docs): {index}"]
    return lines


def deadline_line(now: datetime | None = None) -> str:
    from impact_warehouse.ops.calendar import fiscal_year_of, local_date, release_due_at
    from impact_warehouse.publish import list_releases

    now = now or datetime.now(UTC)
    due_year = fiscal_year_of(local_date(now)) - 1  # the latest fiscal year that has ended
    due_at = release_due_at(due_year)
    releases = list_releases()
    published = [r for r in releases if r.fiscal_year == due_year]
    due_text = due_at.strftime("%Y-%m-%d")
    if published:
        return (
            f"{due_year}年度の年度リリース: 公開済み({published[-1].release_id}、期限 {due_text})"
        )
    later = [r for r in releases if r.fiscal_year > due_year]
    if later:
        # e.g. after a backfill: one release, labelled with the latest year, holds every year.
        return (
            f"{due_year}年度の年度リリース: {due_year}年度として公開したリリースはありません"
            f"(期限 {due_text})。{due_year}年度のデータは {later[-1].release_id} に含まれています"
        )
    if now >= due_at:
        return f"{due_year}年度の年度リリース: 期限 {due_text} を過ぎていますが未公開です"
    return f"{due_year}年度の年度リリース: 未公開(期限 {due_text})"


def run_status() -> int:
    from impact_warehouse.publish import current_release

    release = current_release()
    if release is None:
        return fail(NO_RELEASE_JA, f"no CURRENT pointer in {paths().work / 'releases'}")
    for line in status_lines(release):
        print(line)
    print("")
    print(deadline_line())
    return 0


def run_report(fiscal_year: int, release_id: str | None, out_dir: Path | None) -> int:
    from impact_warehouse.publish import current_release, list_releases

    releases = list_releases()
    if not releases:
        return fail(NO_RELEASE_JA, "render_report needs a published release")
    if release_id and release_id not in {release.release_id for release in releases}:
        known = ", ".join(release.release_id for release in releases[-5:])
        return fail(
            f"リリース {release_id} が見つかりません。`impact releases` で確認してください。",
            f"known (latest 5): {known}",
        )
    try:
        from impact_warehouse.report import render_report
    except ImportError as error:
        return fail("報告書の作成機能が入っていません。", repr(error))
    target = release_id or (current_release() or releases[-1]).release_id
    done = step(f"rendering the FY{fiscal_year} report from release {target}")
    try:
        rendered = render_report(fiscal_year, release_id=release_id, out_dir=out_dir)
    except (LookupError, ValueError, FileNotFoundError) as error:
        return fail(
            f"{fiscal_year}年度の報告書を作れませんでした。", f"{type(error).__name__}: {error}"
        )
    done()
    print(f"    HTML:  {rendered.html_path}")
    print(f"    Excel: {rendered.xlsx_path}")
    for path in rendered.csv_paths:
        print(f"    CSV:   {path}")
    return 0
