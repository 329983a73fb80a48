"""One message per run: the alerts a run raised, grouped, with the true publishing status.

One failing publish used to send six mails, four about one wave. Staff now get one digest
per channel: a list first (most severe first, grouped by survey wave), then each alert's
sections, then the technical details. A single alert is sent as it is.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from impact_warehouse.notify.labels import CatalogLabels
from impact_warehouse.notify.messages import RenderedAlert, body_sections, technical_details

# Most severe first; within a kind, alerts of one wave stay together.
KIND_ORDER = (
    "gate_failure",
    "task_failure",
    "release_overdue",
    "gate_warning",
    "release_rejected",
    "release_published",
)
KIND_TAGS_JA = {
    "gate_failure": "エラー",
    "task_failure": "処理の失敗",
    "release_overdue": "期限切れ",
    "gate_warning": "注意",
    "release_rejected": "公開見送り",
    "release_published": "公開",
}


@dataclass(frozen=True)
class AlertDigest:
    digest_id: str
    alerts: tuple[RenderedAlert, ...]
    subject: str
    body: str

    def records(self) -> list[dict[str, Any]]:
        """The outbox keeps one line per alert, each naming the digest it went out in."""
        return [
            {**alert.to_record(), "digest_id": self.digest_id, "digest_subject": self.subject}
            for alert in self.alerts
        ]


def _order(alert: RenderedAlert) -> tuple[int, str, str]:
    return (
        KIND_ORDER.index(alert.alert.kind),
        alert.alert.wave_code or "",
        alert.alert.check_name or "",
    )


def publishing_status(alerts: list[RenderedAlert]) -> str | None:
    """What staff can rely on about the release, said only when the run's alerts show it."""
    published = [a.alert for a in alerts if a.alert.kind == "release_published"]
    if published:
        years = "、".join(sorted({f"{a.fiscal_year}年度" for a in published if a.fiscal_year}))
        return f"新しい集計を公開しました({years})。" if years else "新しい集計を公開しました。"
    if any(a.alert.kind in ("gate_failure", "release_rejected") for a in alerts):
        return "集計は公開していません(前回公開のデータのままです)。"
    return None


def build_digest(
    digest_id: str, alerts: list[RenderedAlert], labels: CatalogLabels
) -> RenderedAlert | AlertDigest:
    if len(alerts) == 1:
        return alerts[0]
    ordered = sorted(alerts, key=_order)
    counts = Counter(alert.alert.kind for alert in ordered)
    summary = "・".join(
        f"{KIND_TAGS_JA[kind]} {counts[kind]}件" for kind in KIND_ORDER if counts[kind]
    )
    years = sorted({a.alert.fiscal_year for a in ordered if a.alert.fiscal_year is not None})
    year_text = f"({'・'.join(f'{year}年度' for year in years)})" if years else ""
    subject = f"【インパクト集計】お知らせ {len(ordered)}件:{summary}{year_text}"
    lines = ["スタッフの皆さま", "", f"自動処理からのお知らせが {len(ordered)}件 あります。"]
    status = publishing_status(ordered)
    if status:
        lines += ["", "■ 公開の状況", f"  {status}"]
    lines += ["", "■ 一覧"]
    current_wave: str | None = None
    for number, alert in enumerate(ordered, start=1):
        wave = alert.alert.wave_code
        if wave and wave != current_wave:
            lines.append(f"  ◆ {labels.wave(wave)}")
        current_wave = wave
        lines.append(f"  {number}. [{KIND_TAGS_JA[alert.alert.kind]}] {alert.subject}")
    for number, alert in enumerate(ordered, start=1):
        lines += ["", f"━━━ {number}. {alert.subject} ━━━", *body_sections(alert.alert, labels)]
    lines += ["", "-- Technical details (for engineers) --"]
    lines += [f"[{number}] {technical_details(a.alert)}" for number, a in enumerate(ordered, 1)]
    return AlertDigest(digest_id, tuple(ordered), subject, "\n".join(lines) + "\n")
