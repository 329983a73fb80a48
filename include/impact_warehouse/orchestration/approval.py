"""The optional approval of a release in the Airflow UI, between the gate and the publish.

An organisation that writes ``release_approval`` = yes in ``organisation.csv`` has a person
approve each release after a passing gate: the ``approve_release`` task of
``impact_warehouse`` waits in Airflow's Required Actions (Airflow 3.3 Human-in-the-loop,
:class:`ApprovalOperator`) showing the gate summary and the draft report of the build.
"Approve" publishes; "Reject", or no answer within ``IMPACT_APPROVAL_TIMEOUT_DAYS`` (7), leaves
the current release published and tells staff. Without approval the task succeeds at once,
so the DAG is the same for every organisation and the catalog decides at run time.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from airflow.providers.standard.operators.hitl import ApprovalOperator
from airflow.sdk.exceptions import AirflowSkipException, DownstreamTasksSkipped

from impact_warehouse.orchestration.organisation_dags import DagScope
from impact_warehouse.pipeline.handoff import GateOutcome

log = logging.getLogger(__name__)

TIMEOUT_ENV = "IMPACT_APPROVAL_TIMEOUT_DAYS"
DEFAULT_TIMEOUT_DAYS = 7.0
# What the task returns when the organisation does not ask for an approval: the shape of
# ApprovalOperator's answer, so the publish task reads one kind of value.
NOT_REQUIRED: dict[str, Any] = {
    "chosen_options": [ApprovalOperator.APPROVE],
    "params_input": {},
    "responded_at": None,
    "responded_by_user": None,
    "approval_required": False,
}


class ApprovalError(RuntimeError):
    """The publish was asked to go ahead without the approval the organisation requires."""


def response_timeout() -> timedelta:
    """How long an approval waits before it counts as rejected (``IMPACT_APPROVAL_TIMEOUT_DAYS``).

    A waiting run holds the DAG (one active run at a time), so it must not wait for ever.
    Read when the DAG is parsed: a bad value is logged and the default used, so the DAG still
    loads (an import error would hide every task).
    """
    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    try:
        days = float(raw) if raw else DEFAULT_TIMEOUT_DAYS
    except ValueError:
        days = -1.0
    if not 0 < days < 3650:
        log.error(
            "%s=%r: 承認を待つ日数を正の数で書いてください(例: 7)。%s 日を使います。"
            " (write the number of days an approval waits; using the default)",
            TIMEOUT_ENV,
            raw,
            DEFAULT_TIMEOUT_DAYS,
        )
        days = DEFAULT_TIMEOUT_DAYS
    return timedelta(days=days)


def approved(gate: GateOutcome, decision: Mapping[str, Any] | None) -> bool:
    """True when the build may be published: approval not required, or "Approve" chosen."""
    if not gate.approval_required:
        return True
    chosen = list((decision or {}).get("chosen_options") or [])
    return chosen == [ApprovalOperator.APPROVE]


def require_approval(gate: GateOutcome, decision: Mapping[str, Any] | None) -> None:
    """Refuse to publish a build that needed an approval and did not get one."""
    if not approved(gate, decision):
        raise ApprovalError(
            f"{gate.fiscal_year}年度の集計は承認されていないため公開しません。"
            f" (run {gate.run_id}: release approval required, answer {decision!r})"
        )


def approval_subject(gate: GateOutcome) -> str:
    return f"{gate.fiscal_year}年度の集計を公開してよいか確認してください"


def approval_body(gate: GateOutcome) -> str:
    """The Markdown the approver reads: the gate's verdict and where the draft report is."""
    checks = gate.summary.get("checks") or {}
    lines = [
        f"**{gate.fiscal_year}年度**の集計が公開前のデータ確認を通過しました。",
        "下の下書きの報告書を確認し、公開してよければ **Approve**、公開しない場合は "
        "**Reject** を選んでください。Reject の場合は何も公開されず、前回公開の集計のままです。",
        "",
        "### データ確認の結果",
        f"- 判定日: {gate.as_of}",
        f"- エラー: {gate.failures} 件 / 注意: {gate.warnings} 件",
    ]
    for name, check in sorted(checks.items()):
        status = check.get("status", "?") if isinstance(check, Mapping) else check
        lines.append(f"- `{name}`: {status}")
    lines += ["", "### 下書きの報告書(まだ公開されていません)"]
    if gate.draft_reports:
        lines += [
            f"- [{Path(html).name}]({Path(html).as_uri()}) — `{html}`"
            for html in gate.draft_reports
        ]
    else:
        lines.append("- (この年度の報告書はありません)")
    if gate.data_docs:
        lines += ["", f"データ確認の詳細(Data Docs): `{gate.data_docs}`"]
    lines += ["", f"実行: `{gate.run_id}`"]
    return "\n".join(lines)


class ReleaseApprovalOperator(ApprovalOperator):
    """``ApprovalOperator`` fed by the gate task's :class:`GateOutcome` (``gate``, an XComArg).

    Skips when the gate failed (nothing to approve: the publish is skipped too), returns
    :data:`NOT_REQUIRED` at once when the organisation does not ask for approval, and tells
    staff when the answer is "Reject" (the operator then skips the publish).
    """

    template_fields = (*ApprovalOperator.template_fields, "gate")

    def __init__(self, *, gate: Any, scope: DagScope | None = None, **kwargs: Any) -> None:
        super().__init__(
            subject="集計の公開の承認",  # replaced by approval_subject() at run time
            defaults=ApprovalOperator.REJECT,  # no answer in time: nothing is published
            response_timeout=response_timeout(),
            **kwargs,
        )
        self.gate = gate
        # The organisation whose release this is: its gate, draft report and staff.
        self.scope = scope or DagScope()

    def execute(self, context: Any) -> Any:
        with self.scope.active():
            return self._ask(context)

    def _ask(self, context: Any) -> Any:
        gate = GateOutcome.from_xcom(self.gate)
        if not gate.gate_passed:
            raise AirflowSkipException("the gate failed: nothing to approve or publish")
        if not gate.publish_requested:
            # With approval on, the daily runs after each pull refresh the build, the gate and
            # the status page; a release is asked for by a manual run or the release day.
            raise AirflowSkipException(
                "run after new landing data: approval is on, so nothing is offered for release"
            )
        if not gate.approval_required:
            self.log.info("release_approval is off in organisation.csv: no approval needed")
            return dict(NOT_REQUIRED)
        self.subject = approval_subject(gate)
        self.body = approval_body(gate)
        return super().execute(context)

    def execute_complete(self, context: Any, event: dict[str, Any]) -> Any:
        with self.scope.active():
            return self._answered(context, event)

    def _answered(self, context: Any, event: dict[str, Any]) -> Any:
        try:
            result = super().execute_complete(context=context, event=event)
        except DownstreamTasksSkipped:
            # "Reject": ApprovalOperator skips the publish by raising this; tell staff first.
            self._announce_rejection()
            raise
        if result["chosen_options"] != [self.APPROVE]:  # rejected, nothing downstream to skip
            self._announce_rejection()
        return result

    def _announce_rejection(self) -> None:
        # Imported here: the alerts pull in DuckDB, which the DAG file's parse does not need.
        from impact_warehouse.pipeline.release_alerts import announce_rejection
        from impact_warehouse.settings import paths

        announce_rejection(paths(), GateOutcome.from_xcom(self.gate))
