"""Alerts to staff and their Japanese wording.

Errors for people (STYLE.md): the subject and body are in Japanese and plain words — what
happened, which program, cohort and wave, the figure against its threshold, what to do. The
technical detail an engineer needs is attached at the end in English/JSON.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from impact_warehouse.notify.labels import CatalogLabels, labels_for
from impact_warehouse.notify.wording_ja import (
    ACTIONS_JA,
    CHECK_LABELS_JA,
    COHORT_BELOW_FLOOR_ACTION_JA,
    DEFAULT_ACTIONS_JA,
    SUBJECT_HEADLINES_JA,
    TASK_LABELS_JA,
    THRESHOLD_WORDS_JA,
)
from impact_warehouse.settings import Settings

AlertKind = Literal[
    "gate_failure",
    "gate_warning",
    "task_failure",
    "release_published",
    "release_overdue",
    "release_rolled_back",
    "release_rejected",
]
ALERT_KINDS: tuple[str, ...] = (
    "gate_failure",
    "gate_warning",
    "task_failure",
    "release_published",
    "release_overdue",
    "release_rolled_back",
    "release_rejected",
)


@dataclass(frozen=True)
class Alert:
    """One thing staff should hear about. Codes are catalog codes; ``None`` when not relevant."""

    kind: AlertKind
    program_code: str | None = None
    cohort_code: str | None = None
    wave_code: str | None = None
    check_name: str | None = None  # a gate check, or the task id of a failed task
    observed: float | int | str | None = None
    threshold: float | int | str | None = None
    fiscal_year: int | None = None
    run_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    action_ja: str | None = None  # overrides the default advice for this kind and check

    def __post_init__(self) -> None:
        if self.kind not in ALERT_KINDS:
            raise ValueError(f"alert kind {self.kind!r} is unknown; use one of {ALERT_KINDS}")

    @property
    def fingerprint(self) -> str:
        """The condition, not the occurrence: run id, values and details are left out."""
        key = "|".join(
            part or ""
            for part in (
                self.kind,
                self.program_code,
                self.cohort_code,
                self.wave_code,
                self.check_name,
            )
        )
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class RenderedAlert:
    alert: Alert
    subject: str
    body: str

    @property
    def fingerprint(self) -> str:
        return self.alert.fingerprint

    def to_record(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "subject": self.subject,
            "body": self.body,
            "alert": asdict(self.alert),
        }

    def records(self) -> list[dict[str, Any]]:
        """What the outbox writes: one line per alert."""
        return [self.to_record()]

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> RenderedAlert:
        return cls(Alert(**record["alert"]), record["subject"], record["body"])


def format_figure(value: float | int | str | None, check_name: str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and check_name and "rate" in check_name and 0 <= value <= 1:
        return f"{value:.1%}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def render(
    alert: Alert, labels: CatalogLabels | None = None, *, settings: Settings | None = None
) -> RenderedAlert:
    """Subject and body of one alert, in the words of ``labels``, else of the catalog of
    ``settings``, pointing at its status page."""
    if labels is None:
        if settings is None:
            raise TypeError("render() needs the catalog labels or the settings to read them from")
        labels = labels_for(settings)
    return RenderedAlert(alert, _subject(alert, labels), _body(alert, labels))


def _check_label(alert: Alert) -> str:
    name = alert.check_name or (
        alert.details.get("task_id") if alert.kind == "task_failure" else None
    )
    if name is None:
        return ""
    if alert.kind == "task_failure":
        return TASK_LABELS_JA.get(str(name), str(name))
    return CHECK_LABELS_JA.get(name, name)


def _subject(alert: Alert, labels: CatalogLabels) -> str:
    program = labels.program(alert.program_code) if alert.program_code else "インパクト集計"
    parts = [f"【{program}】{SUBJECT_HEADLINES_JA[alert.kind]}"]
    if (
        alert.kind in ("release_published", "release_overdue", "release_rejected")
        and alert.fiscal_year is not None
    ):
        parts.append(f"{alert.fiscal_year}年度")
    elif _check_label(alert):
        parts.append(_check_label(alert))
    where = " / ".join(code for code in (alert.cohort_code, alert.wave_code) if code)
    subject = ":".join(parts)
    return f"{subject}({where})" if where else subject


def _what_happened(alert: Alert) -> str:
    check = _check_label(alert)
    if alert.kind == "gate_failure":
        return f"公開前のデータ確認「{check}」で問題が見つかったため、集計を公開しませんでした。"
    if alert.kind == "gate_warning":
        return f"公開前のデータ確認「{check}」で注意が必要な点が見つかりました。"
    if alert.kind == "task_failure":
        dag = alert.details.get("dag_id")
        where = f"(処理の流れ {dag})" if dag else ""
        return f"自動処理「{check or '不明'}」{where}が失敗しました。"
    year = f"{alert.fiscal_year}年度の" if alert.fiscal_year is not None else ""
    if alert.kind == "release_rolled_back":
        return rolled_back_text_ja(alert)
    if alert.kind == "release_rejected":
        return (
            f"{year}集計は公開前のデータ確認を通過しましたが、Airflow での承認で「Reject」が"
            "選ばれた(または期限までに回答がなかった)ため、公開しませんでした。"
        )
    if alert.kind == "release_overdue":
        due = alert.details.get("due_at_ja", "期限")
        return f"{year}集計(年度リリース)が、公開期限の{due}を過ぎても公開されていません。"
    return f"{year}新しい集計(リリース)を公開しました。"


def _percent(value: float | int | str | None) -> str:
    if isinstance(value, int | float):
        return f"{value:.1%}"
    return "—" if value is None else str(value)


def _number(value: float | int | str | None, unit: str = "") -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, float):
        return f"{value:g}{unit}"
    return "—" if value is None else f"{value}{unit}"


def _figure_lines(alert: Alert) -> list[str]:
    """The figure and its threshold, named for what they are, with units and n/N."""
    if alert.observed is None and alert.threshold is None:
        return []
    check, details = alert.check_name, alert.details
    if check in ("response_rate", "linkage_rate"):
        label = "回答率" if check == "response_rate" else "名簿と結びついた回答の割合"
        is_target = alert.details.get("rule", "below_target_while_open") == (
            "below_target_while_open"
        )
        word = "目標" if alert.kind == "gate_warning" and is_target else "最低ライン"
        if "responded" in details and "targeted" in details:
            count = f"(回答 {details['responded']}人 / 対象 {details['targeted']}人)"
        elif "respondents" in details:
            count = f"(回答者 {details['respondents']}人)"
        else:
            count = ""
        lines = [
            f"{label}: {_percent(alert.observed)}{count}",
            f"{word}: {_percent(alert.threshold)}以上",
        ]
        if _is_open_window_rate(alert) and details.get("close_date"):
            lines.append(f"締切: {details['close_date']}{_days_left_ja(details)}")
        return lines
    if check == "freshness":
        lines = [
            f"最後の取り込みからの日数: {_number(alert.observed, '日')}"
            if alert.observed is not None
            else "取り込まれたアンケート回答がまだありません",
            f"上限: {_number(alert.threshold, '日')}"
            "(これより古いと取り込みが止まっているとみなします)",
        ]
        if details.get("latest_landed_at"):
            lines.append(f"最後の取り込み: {details['latest_landed_at']}")
        return lines
    if check in ("scale_domain", "hours_plausible") and "rows" in details:
        unit = "時間" if check == "hours_plausible" else ""
        low, high = details.get("min_value"), details.get("max_value")
        return [
            f"範囲外の回答: {details['rows']}件(例: {_number(alert.observed, unit)})",
            f"範囲: {_number(low, unit)}〜{_number(high, unit)}",
        ]
    if alert.threshold in (0, 0.0) and isinstance(alert.observed, int | float):
        # A check that allows none of something: say how many there are.
        return [f"該当: {_number(alert.observed, '件')}(許容: 0件)"]
    word = THRESHOLD_WORDS_JA.get(alert.kind, "基準")
    observed = format_figure(alert.observed, check)
    return [f"実際の値: {observed}({word}: {format_figure(alert.threshold, check)})"]


def body_sections(alert: Alert, labels: CatalogLabels) -> list[str]:
    """What happened, where, the figures and what to do: the part a digest repeats."""
    lines = ["■ 何が起きたか", f"  {_what_happened(alert)}", "", "■ 対象"]
    if alert.program_code:
        lines.append(f"  プログラム: {labels.program(alert.program_code)}({alert.program_code})")
    if alert.cohort_code:
        lines.append(f"  コホート: {labels.cohort(alert.cohort_code)}")
    if alert.wave_code:
        lines.append(f"  アンケート: {labels.wave(alert.wave_code)}")
        period = labels.wave_period(alert.wave_code)
        if period:
            lines.append(f"  回答期間: {period}")
    if alert.fiscal_year is not None:
        lines.append(f"  年度: {alert.fiscal_year}年度")
    if alert.kind == "task_failure":
        task_id = alert.check_name or alert.details.get("task_id")
        if task_id:
            lines.append(f"  処理: {_check_label(alert)}({task_id})")
        if alert.details.get("exception"):
            lines.append(f"  エラー(英語): {str(alert.details['exception']).splitlines()[0][:200]}")
    elif alert.check_name:
        lines.append(f"  確認項目: {_check_label(alert)}({alert.check_name})")
    figures = _figure_lines(alert)
    if figures:
        lines += ["", "■ 数値"] + [f"  {line}" for line in figures]
    headline = alert.details.get("headline_figures")
    if alert.kind == "release_published" and isinstance(headline, dict):
        lines += ["", "■ 主な数値"] + [
            f"  {_headline_label(label, labels)}: {value}" for label, value in headline.items()
        ]
    statuses = alert.details.get("target_statuses")
    if alert.kind == "release_published" and isinstance(statuses, list) and statuses:
        lines += ["", "■ 目標の達成状況"] + [f"  {line}" for line in statuses]
    drafts = alert.details.get("draft_reports")
    if alert.kind == "release_rejected" and isinstance(drafts, list) and drafts:
        lines += ["", "■ 承認に使った下書きの報告書"] + [f"  {path}" for path in drafts]
    lines += ["", "■ お願いしたいこと", f"  {_action(alert, labels.status_page)}"]
    return lines


def _headline_label(label: str, labels: CatalogLabels) -> str:
    # Headline keys start with a wave code ("mamabono_2025_post 回答率"): name the wave.
    code, _, rest = label.partition(" ")
    return f"{labels.wave(code)} {rest}".strip() if code in labels.waves else label


def _body(alert: Alert, labels: CatalogLabels) -> str:
    lines = ["スタッフの皆さま", "", *body_sections(alert, labels)]
    lines += ["", "-- Technical details (for engineers) --", technical_details(alert)]
    return "\n".join(lines) + "\n"


def _action(alert: Alert, status_page: str | None = None) -> str:
    if alert.action_ja:
        return alert.action_ja
    if _is_open_window_rate(alert):
        return open_window_reminder_ja(alert, status_page)
    if alert.details.get("rule") == "cohort_below_floor_after_close":
        return COHORT_BELOW_FLOOR_ACTION_JA
    return ACTIONS_JA.get((alert.kind, alert.check_name or ""), DEFAULT_ACTIONS_JA[alert.kind])


def _is_open_window_rate(alert: Alert) -> bool:
    return (
        alert.kind == "gate_warning"
        and alert.check_name == "response_rate"
        and alert.details.get("rule", "below_target_while_open") == "below_target_while_open"
    )


def _days_left_ja(details: dict[str, Any]) -> str:
    days = details.get("days_left")
    if not isinstance(days, int):
        return ""
    return "(今日が締切日)" if days == 0 else f"(あと{days}日)"


def open_window_reminder_ja(alert: Alert, status_page: str | None = None) -> str:
    """What to do about a low rate while the survey is open: the reminder list command for
    this wave (and cohort), and the status page that shows every open wave day by day."""
    close = alert.details.get("close_date")
    deadline = f"締切は{close}{_days_left_ja(alert.details)}です。" if close else ""
    command = "impact reminders"
    if alert.wave_code:
        command += f" --wave {alert.wave_code}"
    if alert.cohort_code:
        command += f" --cohort {alert.cohort_code}"
    # Without the installation's settings the page has no path to give: named, not located.
    status_page = status_page or "impact status-page で作るページ"
    return (
        f"回答期間中です。{deadline}"
        f"まだ回答していない対象者の連絡先リストを「{command}」で作り、"
        "リマインドメールを送ってください(リストには氏名とメールアドレスが入るため、"
        "スタッフ用の保管場所に保存されます。転送や共有フォルダへのコピーはしないでください)。"
        f"毎日の回答状況は、回答状況のページで確認できます: {status_page}"
    )


def technical_details(alert: Alert) -> str:
    record = asdict(alert)
    record.pop("action_ja")
    record["fingerprint"] = alert.fingerprint
    return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True, default=str)


def rolled_back_text_ja(alert: Alert) -> str:
    """What happened, for ``impact releases --make-current``: which release, from which, who."""
    details = alert.details
    year = f"{alert.fiscal_year}年度の" if alert.fiscal_year is not None else ""
    # Usually back to an earlier release; make-current can also move forward again.
    earlier = details.get("direction") != "forward"
    text = (
        f"公開中の集計を、{year}{'以前' if earlier else '新しい方'}のリリース "
        f"{details.get('release_id')} に{'戻しました' if earlier else '切り替えました'}"
        f"(戻す前: {details.get('previous_release_id') or 'なし'}、"
        f"操作した人: {details.get('by')})。"
    )
    if details.get("reason"):
        text += f"理由: {details['reason']}"
    return text
