"""AI risk reports: any staff member flags an AI output as wrong, biased or harmful; supervisors close them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.clock import utcnow
from masking.errors import NotFound, WorkflowError
from masking.models import RiskReport

KINDS = {"wrong": "誤り", "biased": "偏り・差別的", "harmful": "有害・不適切"}
TARGETS = {"summary": "相談記録の要約", "masked_transcript": "自動マスキングの結果"}
MAX_NOTE = 2000


def file_report(session: Session, actor: str, target_type: str, target_id: int, kind: str, note: str,
                consultation_id: int | None = None) -> RiskReport:
    if kind not in KINDS:
        raise WorkflowError("報告の種類（誤り・偏り・有害）を選んでください。")
    if target_type not in TARGETS:
        raise WorkflowError("報告の対象が正しくありません。")
    report = RiskReport(target_type=target_type, target_id=target_id, consultation_id=consultation_id, kind=kind,
                        note=note.strip()[:MAX_NOTE], status="open", reported_by=actor)
    session.add(report)
    session.flush()
    audit.record(session, actor, "ai_risk.report", target_type, target_id,
                 {"report_id": report.id, "kind": kind, "consultation_id": consultation_id})
    return report


def close_report(session: Session, actor: str, report_id: int, note: str) -> RiskReport:
    report = session.get(RiskReport, report_id)
    if report is None:
        raise NotFound("リスク報告が見つかりません。")
    if report.status != "closed":
        report.status, report.closed_by, report.closed_at = "closed", actor, utcnow()
        report.close_note = note.strip()[:MAX_NOTE] or None
        audit.record(session, actor, "ai_risk.close", "ai_risk_report", report_id, {"kind": report.kind})
    return report


def reports(session: Session, status: str | None = "open") -> list[RiskReport]:
    query = select(RiskReport).order_by(RiskReport.reported_at.desc()).limit(500)
    if status:
        query = query.where(RiskReport.status == status)
    return list(session.scalars(query))
