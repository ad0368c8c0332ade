"""Console pages for AI output: the summary (edit, 「確認して確定」), 「リスク報告」 on any AI output, and the
supervisors' list of AI risk reports (close)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from core.users import Role
from core.web.auth import StaffUser, require_role
from core.web.console import register_console_link, register_dashboard_card
from core.web.csrf import verify_csrf
from core.web.deps import db_session
from core.web.templates import render
from masking import consultations, risk_reports, summaries
from masking.errors import NotFound, WorkflowError
from masking.models import RiskReport, Summary
from masking.runtime import runtime_for_app
from masking.summarize import SECTION_TITLES

BASE = "/console/masking"
RISK = "/console/ai-risk"
register_console_link("AIリスク報告", f"{RISK}/", min_role=Role.SUPERVISOR, order=31)
router = APIRouter()
staff = require_role(Role.STAFF)
supervisor = require_role(Role.SUPERVISOR)
csrf = [Depends(verify_csrf)]


def _summary_page(request: Request, session: Session, consultation_id: int, error: str | None = None,
                  status_code: int = 200) -> Response:
    session.expire_all()
    try:
        consultation = consultations.get(session, consultation_id)
    except NotFound as exc:
        raise HTTPException(status_code=404, detail=exc.message) from exc
    summary = summaries.latest_summary(session, consultation_id)
    if summary is None:
        raise HTTPException(status_code=404, detail="この相談記録にはまだ要約がありません。")
    return render(request, "masking/summary.html", {
        "c": consultation, "s": summary, "sections": summaries.sections_of(summary), "titles": SECTION_TITLES,
        "kinds": risk_reports.KINDS, "error": error, "query": request.query_params,
    }, status_code=status_code)


@router.get(f"{BASE}/{{consultation_id}}/summary")
def summary_page(consultation_id: int, request: Request, _user: StaffUser = Depends(staff),
                 session: Session = Depends(db_session)) -> Response:
    return _summary_page(request, session, consultation_id)


def _summary_or_404(session: Session, summary_id: int) -> Summary:
    summary = session.get(Summary, summary_id)
    if summary is None:
        raise HTTPException(status_code=404, detail="要約が見つかりません。")
    return summary


@router.post(f"{BASE}/summaries/{{summary_id}}/edit", dependencies=csrf)
def edit_summary(summary_id: int, request: Request, section_0: str = Form("", alias="section-0"),
                 section_1: str = Form("", alias="section-1"), section_2: str = Form("", alias="section-2"),
                 section_3: str = Form("", alias="section-3"), user: StaffUser = Depends(staff),
                 session: Session = Depends(db_session)) -> Response:
    sections = dict(zip(SECTION_TITLES, (section_0, section_1, section_2, section_3), strict=True))
    return _run(request, session, summary_id,
                lambda rt: summaries.edit(rt, summary_id, user.username, sections), "edited")


@router.post(f"{BASE}/summaries/{{summary_id}}/confirm", dependencies=csrf)
def confirm_summary(summary_id: int, request: Request, user: StaffUser = Depends(staff),
                    session: Session = Depends(db_session)) -> Response:
    return _run(request, session, summary_id, lambda rt: summaries.confirm(rt, summary_id, user.username), "confirmed")


def _run(request: Request, session: Session, summary_id: int, action: Any, done: str) -> Response:
    consultation_id = _summary_or_404(session, summary_id).consultation_id
    try:
        action(runtime_for_app(request.app.state))
    except WorkflowError as exc:
        return _summary_page(request, session, consultation_id, error=exc.message, status_code=exc.status_code)
    return RedirectResponse(f"{BASE}/{consultation_id}/summary?done={done}", status_code=303)


@router.post(f"{RISK}/reports", dependencies=csrf)
def file_risk_report(request: Request, target_type: str = Form(...), target_id: int = Form(...),
                     kind: str = Form(""), note: str = Form(""), user: StaffUser = Depends(staff),
                     session: Session = Depends(db_session)) -> Response:
    consultation_id = _consultation_of(session, target_type, target_id)
    back = (f"{BASE}/{consultation_id}/summary" if target_type == "summary" else f"{BASE}/{consultation_id}")
    try:
        report = risk_reports.file_report(session, user.username, target_type, target_id, kind, note, consultation_id)
        session.commit()
    except WorkflowError as exc:
        session.rollback()
        if target_type == "summary":
            return _summary_page(request, session, consultation_id, error=exc.message, status_code=400)
        raise HTTPException(status_code=400, detail=exc.message) from exc
    return RedirectResponse(f"{back}?reported={report.id}", status_code=303)


def _consultation_of(session: Session, target_type: str, target_id: int) -> int:
    from masking.models import MaskedTranscript

    row: Any = None
    if target_type == "summary":
        row = session.get(Summary, target_id)
    elif target_type == "masked_transcript":
        row = session.get(MaskedTranscript, target_id)
    if row is None:
        raise HTTPException(status_code=404, detail="報告の対象が見つかりません。")
    return int(row.consultation_id)


@router.get(f"{RISK}/")
def risk_report_list(request: Request, _user: StaffUser = Depends(supervisor),
                     session: Session = Depends(db_session)) -> Response:
    show = request.query_params.get("show", "open")
    rows = risk_reports.reports(session, None if show == "all" else "open")
    return render(request, "masking/risk_reports.html", {
        "rows": rows, "kinds": risk_reports.KINDS, "targets": risk_reports.TARGETS, "show": show,
        "closed": request.query_params.get("closed")})


@router.post(f"{RISK}/reports/{{report_id}}/close", dependencies=csrf)
def close_risk_report(report_id: int, note: str = Form(""), user: StaffUser = Depends(supervisor),
                      session: Session = Depends(db_session)) -> Response:
    try:
        risk_reports.close_report(session, user.username, report_id, note)
    except NotFound as exc:
        raise HTTPException(status_code=404, detail=exc.message) from exc
    session.commit()
    return RedirectResponse(f"{RISK}/?closed={report_id}", status_code=303)


def _card(_request: Request, session: Session) -> dict[str, Any]:
    from sqlalchemy import func, select

    open_count = session.scalar(select(func.count()).select_from(RiskReport).where(RiskReport.status == "open"))
    return {"open_reports": open_count or 0}


register_dashboard_card("masking.ai_risk", "AIリスク報告", "masking/card_risk.html", min_role=Role.SUPERVISOR,
                        order=31, context=_card)
