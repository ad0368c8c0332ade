"""Staff console pages of the consultation workflow: create, list, review (masks, approval), raw view.

Summary and risk-report pages are in ``masking.web_summary`` and included here. Every form is
CSRF-protected; every change and every raw view is audited by the service functions. Handlers are
plain ``def`` (run in the thread pool): they touch the database and may run jobs inline (immediate
queue).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.users import Role
from core.web.auth import StaffUser, require_role
from core.web.console import register_console_link, register_dashboard_card
from core.web.csrf import verify_csrf
from core.web.deps import db_session
from core.web.templates import add_template_dir, render
from masking import consultations, review, summaries
from masking.anonymize import PLACEHOLDER_NAMES
from masking.audio import ALLOWED_SUFFIXES
from masking.errors import NotFound, WorkflowError
from masking.jobs import STEP_JOBS, mask_consultation, summarize_consultation, transcribe_consultation
from masking.models import Consultation
from masking.runtime import MaskingRuntime, runtime_for_app
from masking.schemas import ConsultationPublic
from masking.status import ConsultationStatus as S
from masking.web_summary import router as summary_router

BASE = "/console/masking"
STATIC = Path(__file__).parent / "static"
add_template_dir(Path(__file__).parent / "templates")
register_console_link("相談記録", f"{BASE}/", min_role=Role.STAFF, order=30)
router = APIRouter()
staff = require_role(Role.STAFF)
csrf = [Depends(verify_csrf)]
LABEL_CHOICES = list(PLACEHOLDER_NAMES.items())
CALL_REF = re.compile(r"(?:^|/console/voice/calls/)(\d+)/?$")
STATIC_FILES = {"review.js": "text/javascript", "masking.css": "text/css"}


def _rt(request: Request) -> MaskingRuntime:
    return runtime_for_app(request.app.state)


def _detail_url(consultation_id: int, **query: str) -> str:
    suffix = "&".join(f"{k}={v}" for k, v in query.items())
    return f"{BASE}/{consultation_id}" + (f"?{suffix}" if suffix else "")


@router.get(f"{BASE}/static/{{name}}", include_in_schema=False)
def static(name: str) -> Response:
    if name not in STATIC_FILES:
        raise HTTPException(status_code=404)
    return FileResponse(STATIC / name, media_type=STATIC_FILES[name], headers={"cache-control": "no-cache"})


def _list_page(request: Request, session: Session, error: str | None = None, status_code: int = 200) -> Response:
    rows = session.scalars(select(Consultation).order_by(Consultation.id.desc()).limit(200)).all()
    return render(request, "masking/list.html", {
        "rows": rows, "labels": {s.value: s.label for s in S}, "error": error,
        "audio_suffixes": ", ".join(ALLOWED_SUFFIXES), "max_mb": _rt(request).settings.consultation_upload_max_mb,
    }, status_code=status_code)


@router.get(f"{BASE}/")
def consultation_list(request: Request, _user: StaffUser = Depends(staff),
                      session: Session = Depends(db_session)) -> Response:
    return _list_page(request, session)


@router.post(f"{BASE}/new/text", dependencies=csrf)
def create_text(request: Request, transcript: str = Form(""), transcript_file: UploadFile | None = File(None),
                user: StaffUser = Depends(staff), session: Session = Depends(db_session)) -> Response:
    rt = _rt(request)
    try:
        if transcript_file is not None and transcript_file.filename:
            data = transcript_file.file.read(rt.upload_max_bytes + 1)
            transcript = consultations.decode_transcript_upload(data, transcript_file.filename, rt.upload_max_bytes)
        consultation_id = consultations.create_from_text(rt, user.username, transcript)
    except WorkflowError as exc:
        return _list_page(request, session, error=exc.message, status_code=exc.status_code)
    mask_consultation.enqueue(consultation_id)
    return RedirectResponse(_detail_url(consultation_id, created="1"), status_code=303)


@router.post(f"{BASE}/new/call", dependencies=csrf)
def create_from_call(request: Request, call_id: str = Form(""), user: StaffUser = Depends(staff),
                     session: Session = Depends(db_session)) -> Response:
    rt = _rt(request)
    match = CALL_REF.search(call_id.strip())  # the number, or the call page's address pasted whole
    if match is None:
        return _list_page(request, session, error="通話記録の番号（または詳細画面のアドレス）を入力してください。",
                          status_code=400)
    try:
        consultation_id = consultations.create_from_call(rt, user.username, int(match.group(1)))
    except WorkflowError as exc:
        return _list_page(request, session, error=exc.message, status_code=exc.status_code)
    mask_consultation.enqueue(consultation_id)
    return RedirectResponse(_detail_url(consultation_id, created="1"), status_code=303)


@router.post(f"{BASE}/new/audio", dependencies=csrf)
def create_audio(request: Request, audio: UploadFile | None = File(None), user: StaffUser = Depends(staff),
                 session: Session = Depends(db_session)) -> Response:
    rt = _rt(request)
    if audio is None or not audio.filename:
        return _list_page(request, session, error="音声ファイルを選んでください。", status_code=400)
    data = audio.file.read(rt.upload_max_bytes + 1)
    try:
        consultation_id = consultations.create_from_audio(rt, user.username, audio.filename, data)
    except WorkflowError as exc:
        return _list_page(request, session, error=exc.message, status_code=exc.status_code)
    transcribe_consultation.enqueue(consultation_id)
    return RedirectResponse(_detail_url(consultation_id, created="1"), status_code=303)


def _detail_page(request: Request, session: Session, consultation_id: int, user: StaffUser,
                 error: str | None = None, status_code: int = 200) -> Response:
    rt = _rt(request)
    session.expire_all()
    try:
        consultation = consultations.get(session, consultation_id)
    except NotFound as exc:
        raise HTTPException(status_code=404, detail=exc.message) from exc
    context: dict[str, Any] = {
        "c": consultation, "status": S(consultation.status), "error": error, "user": user,
        "label_choices": LABEL_CHOICES, "review": None, "summary": summaries.latest_summary(session, consultation.id),
        "versions": review.versions(session, consultation.id),
        "decisions": review.decisions(session, consultation.id), "query": request.query_params,
    }
    if consultation.status not in (S.TRANSCRIBING, S.MASKING, S.TRANSCRIPTION_FAILED, S.MASKING_FAILED):
        try:
            context["review"] = review.view(rt, session, consultation.id)
        except WorkflowError:
            context["review"] = None
    return render(request, "masking/detail.html", context, status_code=status_code)


@router.get(f"{BASE}/{{consultation_id}}")
def consultation_detail(consultation_id: int, request: Request, user: StaffUser = Depends(staff),
                        session: Session = Depends(db_session)) -> Response:
    return _detail_page(request, session, consultation_id, user)


def _act(request: Request, session: Session, consultation_id: int, user: StaffUser, action: Any,
         done: str) -> Response:
    """Run a review action; on a refusal show the page again with the Japanese message."""
    try:
        action()
    except WorkflowError as exc:
        return _detail_page(request, session, consultation_id, user, error=exc.message, status_code=exc.status_code)
    return RedirectResponse(_detail_url(consultation_id, done=done), status_code=303)


@router.post(f"{BASE}/{{consultation_id}}/unmask", dependencies=csrf)
def unmask(consultation_id: int, request: Request, version: int = Form(...), index: int = Form(...),
           reason: str = Form(""), user: StaffUser = Depends(staff),
           session: Session = Depends(db_session)) -> Response:
    rt = _rt(request)
    return _act(request, session, consultation_id, user,
                lambda: review.unmask(rt, consultation_id, user.username, version, index, reason), "unmask")


@router.post(f"{BASE}/{{consultation_id}}/mask", dependencies=csrf)
def add_mask(consultation_id: int, request: Request, version: int = Form(...), label: str = Form(""),
             start: str = Form(""), end: str = Form(""), find: str = Form(""), user: StaffUser = Depends(staff),
             session: Session = Depends(db_session)) -> Response:
    rt = _rt(request)

    def action() -> None:
        if start.isdigit() and end.isdigit():
            review.add_mask(rt, consultation_id, user.username, version, int(start), int(end), label)
        else:
            review.add_mask_text(rt, consultation_id, user.username, version, find, label)

    return _act(request, session, consultation_id, user, action, "mask")


@router.post(f"{BASE}/{{consultation_id}}/approve", dependencies=csrf)
def approve(consultation_id: int, request: Request, version: int = Form(...), user: StaffUser = Depends(staff),
            session: Session = Depends(db_session)) -> Response:
    rt = _rt(request)
    return _act(request, session, consultation_id, user,
                lambda: review.decide(rt, consultation_id, user.username, user.display_name, version, True),
                "approve")


@router.post(f"{BASE}/{{consultation_id}}/reject", dependencies=csrf)
def reject(consultation_id: int, request: Request, version: int = Form(...), reason: str = Form(""),
           user: StaffUser = Depends(staff), session: Session = Depends(db_session)) -> Response:
    rt = _rt(request)
    return _act(request, session, consultation_id, user,
                lambda: review.decide(rt, consultation_id, user.username, user.display_name, version, False, reason),
                "reject")


@router.post(f"{BASE}/{{consultation_id}}/summarize", dependencies=csrf)
def summarize(consultation_id: int, request: Request, user: StaffUser = Depends(staff),
              session: Session = Depends(db_session)) -> Response:
    rt = _rt(request)

    def action() -> None:
        summaries.request_summary(rt, consultation_id, user.username)
        summarize_consultation.enqueue(consultation_id)

    return _act(request, session, consultation_id, user, action, "summarize")


@router.post(f"{BASE}/{{consultation_id}}/retry", dependencies=csrf)
def retry(consultation_id: int, request: Request, user: StaffUser = Depends(staff),
          session: Session = Depends(db_session)) -> Response:
    rt = _rt(request)

    def action() -> None:
        step = consultations.retry(rt, consultation_id, user.username)
        STEP_JOBS[step.value].enqueue(consultation_id)

    return _act(request, session, consultation_id, user, action, "retry")


@router.post(f"{BASE}/{{consultation_id}}/raw", dependencies=csrf)
def raw_view(consultation_id: int, request: Request, reason: str = Form(""), user: StaffUser = Depends(staff),
             session: Session = Depends(db_session)) -> Response:
    """The raw transcript, shown once for a recorded reason (a POST: the reason is not put in a URL)."""
    rt = _rt(request)
    try:
        text = review.read_raw(rt, consultation_id, user.username, reason)
    except WorkflowError as exc:
        return _detail_page(request, session, consultation_id, user, error=exc.message, status_code=exc.status_code)
    return render(request, "masking/raw.html", {"consultation_id": consultation_id, "text": text})


# --- JSON API (staff session; POST needs the X-CSRF-Token header) --------------------------------------

@router.get("/api/masking/consultations/{consultation_id}", response_model=ConsultationPublic)
def api_consultation(consultation_id: int, request: Request, _user: StaffUser = Depends(staff),
                     session: Session = Depends(db_session)) -> ConsultationPublic:
    try:
        consultation = consultations.get(session, consultation_id)
    except NotFound as exc:
        raise HTTPException(status_code=404, detail=exc.message) from exc
    return ConsultationPublic.of(session, consultation)


@router.post("/api/masking/consultations/{consultation_id}/summarize", dependencies=csrf, status_code=202,
             response_model=ConsultationPublic)
def api_summarize(consultation_id: int, request: Request, user: StaffUser = Depends(staff),
                  session: Session = Depends(db_session)) -> ConsultationPublic:
    """202 and the consultation once the summary was requested; 409 when the text is not approved."""
    rt = _rt(request)
    try:
        summaries.request_summary(rt, consultation_id, user.username)
    except WorkflowError as exc:
        raise HTTPException(status_code=exc.status_code, detail=exc.message) from exc
    summarize_consultation.enqueue(consultation_id)
    session.expire_all()
    return ConsultationPublic.of(session, consultations.get(session, consultation_id))


def _card(_request: Request, session: Session) -> dict[str, Any]:
    counts = consultations.counts_by_status(session)
    return {"pending": counts.get(S.PENDING_REVIEW, 0), "summarized": counts.get(S.SUMMARIZED, 0),
            "failed": sum(counts.get(s, 0) for s in (S.TRANSCRIPTION_FAILED, S.MASKING_FAILED, S.SUMMARY_FAILED))}


register_dashboard_card("masking.pending", "相談記録", "masking/card.html", order=30, context=_card)
router.include_router(summary_router)
