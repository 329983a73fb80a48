"""Alerts to staff and their Japanese wording.

Errors for people (STYLE.md): the subject and body are in Japanese and plain words — what
happened, which program, cohort and wave, the figure against its threshold, what to do. The
technical detail an engineer needs is attached at the end in English/JSON.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from impact_warehouse.catalog import CatalogError, load_catalog
from impact_warehouse.settings import paths

AlertKind = Literal[
    "gate_failure", "gate_warning", "task_failure", "release_published", "release_overdue"
]
ALERT_KINDS: tuple[str, ...] = (
    "gate_failure",
    "gate_warning",
    "task_failure",
    "release_published",
    "release_overdue",
)

# Keyed by the gate's check names (expectations/gate.yml); a test keeps the two in step.
CHECK_LABELS_JA = {
    "response_rate": "アンケートの回答率",
    "scale_domain": "回答の値が選択肢・範囲の外",
    "hours_plausible": "家事・育児時間の回答が0〜24時間の外",
    "unique_participant_wave": "同じ参加者の回答の重複",
    "answers_map_to_catalog": "どの設問にも対応しない回答",
    "fact_keys_exist": "プログラム・コホート・アンケートの対応関係",
    "linkage_rate": "参加者名簿と結びつけられた回答の割合",
    "no_personal_data": "分析用の表に個人情報が含まれていないか",
    "freshness": "データの取り込みが止まっていないか",
    "suppression": "少人数のセルの非表示",
}

# What staff can do about each check; checks not listed get the generic advice of their kind.
ACTIONS_JA = {
    ("gate_warning", "response_rate"): (
        "回答期間中です。対象の参加者にリマインドメールを送ってください。"
    ),
    ("gate_failure", "response_rate"): (
        "回答期間が終わり、回答率が最低ラインを下回りました。集計は公開していません。"
        "回答の回収状況と名簿を確認し、担当エンジニアに相談してください。"
    ),
    ("gate_failure", "linkage_rate"): (
        "参加者名簿(オペレーション用ワークブック)とアンケートのメールアドレスが"
        "一致しているか確認してください。"
    ),
    ("gate_failure", "freshness"): (
        "アンケートの取り込みが止まっているようです。担当エンジニアに連絡してください。"
    ),
}
DEFAULT_ACTIONS_JA = {
    "gate_failure": (
        "集計は公開していません(前回公開のデータのままです)。"
        "回答データと届いたファイルを確認してください。直し方が分からない場合は、"
        "このメールを担当エンジニアに転送してください。"
    ),
    "gate_warning": "集計は公開しました。内容を確認し、必要なら対象の参加者に連絡してください。",
    "task_failure": (
        "自動処理が途中で止まりました。このメールを担当エンジニアに転送してください。"
    ),
    "release_published": "新しい集計が公開されました。報告書の数値を確認してください。",
    "release_overdue": (
        "直近のデータ確認のお知らせ(エラー・注意)を確認し、原因を取り除いてから"
        "「impact publish」を実行するか、Airflow で impact_warehouse を手動実行してください。"
        "状況は「impact status」で確認できます。分からない場合は、このメールを担当エンジニアに"
        "転送してください。"
    ),
}
SUBJECT_HEADLINES_JA = {
    "gate_failure": "データ確認でエラー(公開を停止)",
    "gate_warning": "注意",
    "task_failure": "自動処理が失敗しました",
    "release_published": "新しい集計を公開しました",
    "release_overdue": "年度の集計の公開が期限を過ぎています",
}
THRESHOLD_WORDS_JA = {"gate_warning": "目標", "gate_failure": "基準"}


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


@dataclass(frozen=True)
class CatalogLabels:
    """Japanese labels of catalog codes; codes not in the catalog are shown as they are."""

    programs: dict[str, str]
    cohorts: dict[str, str]
    waves: dict[str, str]

    def program(self, code: str) -> str:
        return self.programs.get(code, code)

    def cohort(self, code: str) -> str:
        label = self.cohorts.get(code)
        return f"{code}({label})" if label else code

    def wave(self, code: str) -> str:
        label = self.waves.get(code)
        return f"{code}({label})" if label else code


@lru_cache(maxsize=4)
def catalog_labels(seed_dir: Path | None = None) -> CatalogLabels:
    seed_dir = seed_dir or paths().seeds
    catalog = load_catalog(seed_dir)
    # The catalog model keeps codes only; the Japanese labels live in the same seed files.
    cohort_labels = {
        row["cohort_code"]: row["cohort_label_ja"] for row in _seed_rows(seed_dir, "cohorts.csv")
    }
    wave_type_labels = {
        row["wave_type"]: row["wave_type_ja"] for row in _seed_rows(seed_dir, "wave_types.csv")
    }
    waves = {
        code: "・".join(
            part
            for part in (wave_type_labels.get(wave.wave_type), wave.targeted_population_ja)
            if part
        )
        for code, wave in catalog.waves.items()
    }
    return CatalogLabels(
        programs={code: program.program_name_ja for code, program in catalog.programs.items()},
        cohorts={code: label for code, label in cohort_labels.items() if label},
        waves=waves,
    )


def _seed_rows(seed_dir: Path, file_name: str) -> list[dict[str, str]]:
    with (seed_dir / file_name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def format_figure(value: float | int | str | None, check_name: str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and check_name and "rate" in check_name and 0 <= value <= 1:
        return f"{value:.1%}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def render(alert: Alert, labels: CatalogLabels | None = None) -> RenderedAlert:
    if labels is None:
        try:
            labels = catalog_labels()
        except CatalogError:  # the alert about an invalid catalog must still go out: codes only
            labels = CatalogLabels({}, {}, {})
    return RenderedAlert(alert, _subject(alert, labels), _body(alert, labels))


def _check_label(alert: Alert) -> str:
    if alert.check_name is None:
        return ""
    return CHECK_LABELS_JA.get(alert.check_name, alert.check_name)


def _subject(alert: Alert, labels: CatalogLabels) -> str:
    program = labels.program(alert.program_code) if alert.program_code else "インパクト集計"
    parts = [f"【{program}】{SUBJECT_HEADLINES_JA[alert.kind]}"]
    if alert.kind in ("release_published", "release_overdue") and alert.fiscal_year is not None:
        parts.append(f"{alert.fiscal_year}年度")
    elif alert.check_name:
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
        return f"自動処理「{alert.check_name or '不明'}」が失敗しました。"
    year = f"{alert.fiscal_year}年度の" if alert.fiscal_year is not None else ""
    if alert.kind == "release_overdue":
        due = alert.details.get("due_at_ja", "期限")
        return f"{year}集計(年度リリース)が、公開期限の{due}を過ぎても公開されていません。"
    return f"{year}新しい集計(リリース)を公開しました。"


def _body(alert: Alert, labels: CatalogLabels) -> str:
    lines = ["スタッフの皆さま", "", "■ 何が起きたか", f"  {_what_happened(alert)}", "", "■ 対象"]
    if alert.program_code:
        lines.append(f"  プログラム: {labels.program(alert.program_code)}({alert.program_code})")
    if alert.cohort_code:
        lines.append(f"  コホート: {labels.cohort(alert.cohort_code)}")
    if alert.wave_code:
        lines.append(f"  アンケート: {labels.wave(alert.wave_code)}")
    if alert.fiscal_year is not None:
        lines.append(f"  年度: {alert.fiscal_year}年度")
    if alert.check_name:
        lines.append(f"  確認項目: {_check_label(alert)}({alert.check_name})")
    if alert.observed is not None or alert.threshold is not None:
        threshold_word = THRESHOLD_WORDS_JA.get(alert.kind, "基準")
        observed = format_figure(alert.observed, alert.check_name)
        threshold = format_figure(alert.threshold, alert.check_name)
        lines += ["", "■ 数値", f"  実際の値: {observed}({threshold_word}: {threshold})"]
    headline = alert.details.get("headline_figures")
    if alert.kind == "release_published" and isinstance(headline, dict):
        lines += ["", "■ 主な数値"] + [f"  {label}: {value}" for label, value in headline.items()]
    lines += ["", "■ お願いしたいこと", f"  {_action(alert)}"]
    lines += ["", "-- Technical details (for engineers) --", _technical_details(alert)]
    return "\n".join(lines) + "\n"


def _action(alert: Alert) -> str:
    if alert.action_ja:
        return alert.action_ja
    return ACTIONS_JA.get((alert.kind, alert.check_name or ""), DEFAULT_ACTIONS_JA[alert.kind])


def _technical_details(alert: Alert) -> str:
    record = asdict(alert)
    record.pop("action_ja")
    record["fingerprint"] = alert.fingerprint
    return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True, default=str)
