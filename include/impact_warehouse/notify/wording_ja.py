"""The fixed Japanese words of staff alerts: check and task labels, headlines, what to do.

Keyed by the gate's check names (expectations/gate.yml) and the DAGs' task ids; a test keeps
the check names in step. Read by :mod:`impact_warehouse.notify.messages` and ``impact status``.
"""

from __future__ import annotations

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
COHORT_BELOW_FLOOR_ACTION_JA = (
    "回答期間は終わりました。アンケート全体では最低ラインを満たしたため集計は公開しますが、"
    "このコホートの回答率は最低ラインを下回りました。次回はこのコホートへのリマインドを"
    "早めに送ってください。"
)
DEFAULT_ACTIONS_JA = {
    "gate_failure": (
        "集計は公開していません(前回公開のデータのままです)。"
        "回答データと届いたファイルを確認してください。直し方が分からない場合は、"
        "このメールを担当エンジニアに転送してください。"
    ),
    # No claim about publishing here: a warning does not block, but another check of the
    # same run may have; the digest says what was published (see ``digest``).
    "gate_warning": "内容を確認し、必要なら対象の参加者に連絡してください。",
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
    "release_rolled_back": (
        "分析用のファイルと報告書は、戻した先のリリースの数値になります。"
        "理由に心当たりがない場合は担当エンジニアに確認してください。"
    ),
    "release_rejected": (
        "集計は公開していません(前回公開のデータのままです)。直してから公開する場合は、"
        "データを直して Airflow で impact_warehouse を手動実行し、もう一度承認してください。"
    ),
}
SUBJECT_HEADLINES_JA = {
    "gate_failure": "データ確認でエラー(公開を停止)",
    "gate_warning": "注意",
    "task_failure": "自動処理が失敗しました",
    "release_published": "新しい集計を公開しました",
    "release_overdue": "年度の集計の公開が期限を過ぎています",
    "release_rolled_back": "公開中の集計のリリースを切り替えました",
    "release_rejected": "集計の公開が承認されませんでした",
}
THRESHOLD_WORDS_JA = {"gate_warning": "目標", "gate_failure": "基準"}
# Task ids of the two DAGs (dags/); a task not listed is shown by its id.
TASK_LABELS_JA = {
    "land_operations_workbooks": "オペレーション用ワークブックの取り込み",
    "land_panel_deliveries": "比較パネルのファイルの取り込み",
    "plan_waves": "取り込むアンケートの決定",
    "land_form_wave": "アンケート回答の取り込み",
    "summarise_run": "取り込み結果のまとめ",
    "build_audit_warehouse": "集計用データベースの作成",
    "gate_publish_and_alert": "データ確認と公開",
    "gate_audit_warehouse": "公開前のデータ確認",
    "approve_release": "公開の承認",
    "publish_and_alert": "集計の公開",
    "render_reports": "報告書の作成",
}
