"""``impact status``: the latest quality-gate run first (failed or passed), then the release
analysts are reading, then the yearly release deadline — in Japanese, for staff.

The latest gate run comes from :mod:`impact_warehouse.publish.gate_runs`. After a failed gate
the current release is the last one that passed; saying only "合格(公開済み)" then would hide
the failure, so the failure, its findings (where, which check, what to do) and the fact that
nothing new was published come first.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from impact_warehouse.cli.progress import fail
from impact_warehouse.ops.calendar import configured_calendar
from impact_warehouse.settings import paths

NO_RELEASE_JA = (
    "まだ公開された集計(リリース)がありません。"
    "`impact pull` で取り込んでから `impact publish` を実行してください"
    "(最初から全年度を取り込むなら `impact backfill --from-fy 2022 --to-fy 2026`、"
    "デモなら `impact demo`)。"
)
STATUS_JA = {"passed": "合格", "warning": "注意", "failure": "エラー"}
# A check that passed is named by what was confirmed, so 「[合格] …」 never reads as a problem.
# (notify.wording_ja.CHECK_LABELS_JA names the problem, for alerts and failed checks.)
PASSED_LABELS_JA = {
    "response_rate": "アンケートの回答率は目標・最低ラインを満たしています",
    "scale_domain": "回答の値はすべて選択肢・範囲の内",
    "hours_plausible": "家事・育児時間の回答はすべて0〜24時間の内",
    "unique_participant_wave": "同じ参加者の重複した回答はありません",
    "answers_map_to_catalog": "すべての回答がカタログの設問に対応しています",
    "fact_keys_exist": "プログラム・コホート・アンケートの対応関係は正しい",
    "linkage_rate": "参加者名簿と結びつけられた回答の割合は基準以上",
    "no_personal_data": "分析用の表に個人情報は見つかりません",
    "freshness": "データの取り込みは止まっていません",
    "suppression": "少人数のセルはすべて非表示",
}
WARNING_ACTION_JA = "内容を確認し、必要なら対象の参加者に連絡してください。"
MAX_FINDINGS_SHOWN = 20


def local_time(timestamp: str) -> str:
    """A recorded UTC time on the organisation's wall clock; a time a hand edit made
    unreadable is shown as written."""
    try:
        moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return timestamp
    return configured_calendar().wall_clock(moment)


def check_label(name: str, status: str) -> str:
    from impact_warehouse.notify.wording_ja import CHECK_LABELS_JA

    problem = CHECK_LABELS_JA.get(name, name)
    if status == "passed":
        return PASSED_LABELS_JA.get(name, f"{problem}: 問題なし")
    return problem


def check_lines(checks: dict[str, Any]) -> list[str]:
    lines = ["確認項目ごとの結果:"]
    for name, check in checks.items():
        status = str(check.get("status") or "passed")
        counts = []
        if check.get("failures"):
            counts.append(f"エラー {check['failures']} 件")
        if check.get("warnings"):
            counts.append(f"注意 {check['warnings']} 件")
        extra = f"({'、'.join(counts)})" if counts else ""
        lines.append(
            f"  [{STATUS_JA.get(status, status)}] {check_label(name, status)}{extra}  ({name})"
        )
    return lines


def _labels() -> Any:
    from impact_warehouse.notify.labels import catalog_labels

    try:
        return catalog_labels()
    except Exception:  # an invalid catalog must not hide the status: show codes instead
        return None


def _place(finding: dict[str, Any], labels: Any) -> str:
    parts = []
    if finding.get("program_code"):
        code = finding["program_code"]
        parts.append(f"プログラム {labels.program(code) if labels else code}({code})")
    if finding.get("cohort_code"):
        code = finding["cohort_code"]
        parts.append(f"コホート {labels.cohort(code) if labels else code}")
    if finding.get("wave_code"):
        code = finding["wave_code"]
        parts.append(f"アンケート {labels.wave(code) if labels else code}")
    return " / ".join(parts) or "全体"


def _action(finding: dict[str, Any]) -> str:
    from impact_warehouse.notify.wording_ja import ACTIONS_JA, DEFAULT_ACTIONS_JA

    kind = "gate_failure" if finding["severity"] == "failure" else "gate_warning"
    specific = ACTIONS_JA.get((kind, finding["check_name"]))
    if specific:
        return specific
    return DEFAULT_ACTIONS_JA["gate_failure"] if kind == "gate_failure" else WARNING_ACTION_JA


def finding_lines(findings: list[dict[str, Any]]) -> list[str]:
    from impact_warehouse.notify.messages import format_figure

    labels = _labels()
    # Errors before warnings: they are why nothing was published.
    ordered = sorted(findings, key=lambda finding: finding["severity"] != "failure")
    lines = ["見つかった問題:"]
    for finding in ordered[:MAX_FINDINGS_SHOWN]:
        name = finding["check_name"]
        lines.append(
            f"  [{STATUS_JA.get(finding['severity'], finding['severity'])}] "
            f"{check_label(name, finding['severity'])}  ({name})"
        )
        lines.append(f"    対象: {_place(finding, labels)}")
        if finding.get("observed") is not None or finding.get("threshold") is not None:
            word = "目標" if finding["severity"] == "warning" else "基準"
            observed = format_figure(finding.get("observed"), name)
            threshold = format_figure(finding.get("threshold"), name)
            lines.append(f"    実際の値: {observed}({word}: {threshold})")
        lines.append(f"    対応: {_action(finding)}")
    if len(ordered) > MAX_FINDINGS_SHOWN:
        lines.append(f"  ほか {len(ordered) - MAX_FINDINGS_SHOWN} 件(お知らせのメールを参照)")
    return lines


def gate_run_lines(run: Any, current: Any) -> list[str]:
    """The latest gate run: verdict, what became of the release, findings, per-check results."""
    published_now = current is not None and run.release_id == getattr(current, "release_id", None)
    if run.passed and published_now:
        verdict = "合格(公開済み)"
    elif run.passed:
        verdict = f"合格(このとき公開した {run.release_id} は、今は公開中ではありません)"
    else:
        verdict = "不合格 — 集計は公開していません"
    lines = [
        f"最新のデータ確認(品質ゲート): {verdict}",
        f"  実行日時: {local_time(run.judged_at)}  対象: {run.fiscal_year}年度  "
        f"判定日: {run.as_of}  (run {run.run_id})",
        f"  エラー {run.failures} 件、注意 {run.warnings} 件",
    ]
    if not run.passed:
        lines.append(
            "  エラーを直してから、もう一度 `impact publish` を実行してください。"
            "それまでは下の「現在公開中の集計」が使われます。"
        )
    if run.findings:
        lines += ["", *[f"  {line}" for line in finding_lines(run.findings)]]
    lines += ["", *check_lines(run.checks)]
    if run.data_docs:
        lines.append(f"  詳しい確認結果 (Great Expectations Data Docs): {run.data_docs}")
    return lines


def release_lines(release: Any, *, with_checks: bool) -> list[str]:
    gate = release.gate_result
    lines = [
        f"現在公開中の集計: {release.fiscal_year}年度 (release {release.release_id})",
        f"  公開日時: {local_time(release.created_at)}  git commit: {release.git_commit}",
        f"  公開時のデータ確認(品質ゲート): {'合格' if gate.get('passed') else '不合格'} — "
        f"エラー {gate.get('failures', 0)} 件、注意 {gate.get('warnings', 0)} 件"
        f"(判定日 {gate.get('as_of')})",
    ]
    lines += _switch_lines(release)
    if with_checks:
        lines += ["", *check_lines(gate.get("checks") or {})]
    docs = release.directory / "data_docs"
    if docs.exists():
        index = next(iter(sorted(docs.rglob("index.html"))), docs)
        lines.append(f"  公開時の詳しい確認結果 (Great Expectations Data Docs): {index}")
    return lines


def _switch_lines(release: Any) -> list[str]:
    """Say so when the release is current because someone made it current again."""
    from impact_warehouse.publish.history import read_history

    history = read_history(release.directory.parent)
    last = history[-1] if history else None
    if not last or last.get("action") != "make_current" or last.get("to") != release.release_id:
        return []
    reason = f"(理由: {last['reason']})" if last.get("reason") else ""
    return [
        f"  {local_time(last['at'])} に {last.get('by')} が `impact releases --make-current` で"
        f"このリリースに戻しました(戻す前: {last.get('from') or 'なし'}){reason}"
    ]


def deadline_line(now: datetime | None = None) -> str:
    from impact_warehouse.publish import list_releases

    calendar = configured_calendar()
    now = now or datetime.now(UTC)
    # the latest fiscal year that has ended
    due_year = calendar.fiscal_year_of(calendar.local_date(now)) - 1
    due_at = calendar.release_due_at(due_year)
    releases = list_releases(paths().releases)
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


def status_lines(run: Any, release: Any) -> list[str]:
    """Everything ``impact status`` prints above the deadline line."""
    lines: list[str] = []
    if run is not None:
        lines += gate_run_lines(run, release)
        lines.append("")
    if release is not None:
        # Per-check results of the release only when no gate run said them already.
        lines += release_lines(release, with_checks=run is None)
    return lines


def run_status(release_id: str | None = None) -> int:
    from impact_warehouse.publish import ReleaseLookupError, current_release, resolve_release
    from impact_warehouse.publish.gate_runs import latest_gate_run

    settings = paths()
    release = current_release(settings.releases)
    if release_id is not None:
        # One kept release, as the gate judged it when it was published.
        try:
            chosen = resolve_release(release_id, settings.releases)
        except ReleaseLookupError as error:
            return fail(error.message_ja, str(error))
        is_current = release is not None and release.release_id == chosen.release_id
        lines = release_lines(chosen, with_checks=True)
        if not is_current:
            lines[0] = lines[0].replace("現在公開中の集計", "リリース(現在は公開中ではありません)")
        print("\n".join(lines))
        return 0
    run = latest_gate_run(settings.gate_runs)
    for line in status_lines(run, release):
        print(line)
    if release is None:
        return fail(NO_RELEASE_JA, f"no CURRENT pointer in {settings.releases}")
    print("")
    print(deadline_line())
    return 0
