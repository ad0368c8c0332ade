"""「FAQ管理」: list and search the knowledge base, edit/add/delete one FAQ, export and import YAML/CSV.

Staff (every role) can view, search and export; changing the KB — edit, add, delete, import — needs a
supervisor or an admin, because an edit changes what the phone bot tells every caller. Every change is
audited with ids and counts only (no FAQ text) — the entry is written first and commits only after the
file was saved — and the running voice bot answers from the new KB: this process at once, the others
(more workers or instances on the same file) after their next look at the file, a few seconds later.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from app.console import faq_store
from app.console.faq_store import FaqImportError
from core import audit
from core.users import Role
from core.web.auth import StaffUser, require_role
from core.web.console import register_console_link
from core.web.csrf import verify_csrf
from core.web.deps import db_session
from core.web.templates import render
from faq.errors import KnowledgeBaseError
from faq.model import KnowledgeBase

BASE = "/console/faq"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
router = APIRouter()
register_console_link("FAQ管理", BASE, order=30)
staff = require_role(Role.STAFF)
editor = require_role(Role.SUPERVISOR)
FORM_FIELDS = ("id", "category", "question", "variants", "answer_voice", "answer_text", "department")
NOTICES = {"saved": "FAQ {id} を保存しました。電話AIは新しい内容で回答します。",
           "added": "FAQ {id} を追加しました。電話AIは新しい内容で回答します。",
           "deleted": "FAQ {id} を削除しました。",
           "imported": "取り込みました（{id}）。電話AIは新しい内容で回答します。"}


def _path(request: Request) -> Path:
    return Path(request.app.state.settings.faq_kb_path)


def _kb(request: Request) -> KnowledgeBase:
    try:
        return faq_store.load(_path(request))
    except KnowledgeBaseError as exc:
        raise HTTPException(status_code=500, detail="FAQファイルを読み込めません。管理者に連絡してください。") from exc


def _can_edit(user: StaffUser) -> bool:
    return user.can(Role.SUPERVISOR)


@router.get(BASE)
def list_faqs(request: Request, q: str = "", category: str = "", done: str = "", name: str = "",
              user: StaffUser = Depends(staff)) -> Response:
    kb = _kb(request)
    faqs = kb.search(q, category=category or None) if (q.strip() or category) else list(kb)
    notice = NOTICES[done].format(id=name) if done in NOTICES else None
    return render(request, "faq/list.html", {"faqs": faqs, "total": len(kb), "q": q, "category": category,
                                             "categories": kb.categories, "can_edit": _can_edit(user),
                                             "notice": notice})


def _form_page(request: Request, kb: KnowledgeBase, form: dict[str, Any], *, is_new: bool,
               error: str | None = None, status_code: int = 200, can_edit: bool = True) -> Response:
    return render(request, "faq/edit.html", {"form": form, "is_new": is_new, "error": error,
                                             "categories": kb.categories, "can_edit": can_edit},
                  status_code=status_code)


def _blank(question: str = "", category: str = "") -> dict[str, Any]:
    return {"id": "", "category": category, "question": question, "variants": "", "answer_voice": "",
            "answer_text": "", "department": "", "transfer": False}


@router.get(BASE + "/new")
def new_faq(request: Request, question: str = "", category: str = "", _user: StaffUser = Depends(editor)) -> Response:
    return _form_page(request, _kb(request), _blank(question[:500], category[:100]), is_new=True)


@router.get(BASE + "/items/{faq_id}")
def show_faq(request: Request, faq_id: str, user: StaffUser = Depends(staff)) -> Response:
    kb = _kb(request)
    entry = kb.get(faq_id)
    if entry is None:
        raise HTTPException(status_code=404, detail="FAQが見つかりません。")
    form = {"id": entry.id, "category": entry.category, "question": entry.question,
            "variants": "\n".join(entry.variants), "answer_voice": entry.answer_voice,
            "answer_text": entry.answer_text, "department": entry.department, "transfer": entry.transfer}
    return _form_page(request, kb, form, is_new=False, can_edit=_can_edit(user))


async def _form_values(request: Request) -> dict[str, str]:
    form = await request.form()
    values = {name: str(form.get(name) or "")[:5000] for name in FORM_FIELDS}
    values["transfer"] = str(form.get("transfer") or "")
    return values


def _done(kind: str, label: str) -> RedirectResponse:
    from urllib.parse import quote

    return RedirectResponse(f"{BASE}?done={kind}&name={quote(label)}", status_code=303)


@router.post(BASE + "/new", dependencies=[Depends(verify_csrf)])
async def add_faq(request: Request, user: StaffUser = Depends(editor),
                  session: Session = Depends(db_session)) -> Response:
    values = await _form_values(request)
    kb = _kb(request)
    redisplay = {**values, "transfer": values["transfer"] in ("on", "true", "1")}
    try:
        entry = faq_store.faq_from_form(values)
        if entry.id in kb:
            raise FaqImportError(f"FAQ番号 {entry.id} はすでに使われています。別の番号を入力してください。")
    except FaqImportError as exc:
        return _form_page(request, kb, redisplay, is_new=True, error=str(exc), status_code=400)
    audit.record(session, user.username, "faq.create", "faq", entry.id, {"faqs": len(kb) + 1})
    faq_store.save(kb.upsert(entry), _path(request), request.app.state)
    session.commit()
    return _done("added", entry.id)


@router.post(BASE + "/items/{faq_id}", dependencies=[Depends(verify_csrf)])
async def update_faq(request: Request, faq_id: str, user: StaffUser = Depends(editor),
                     session: Session = Depends(db_session)) -> Response:
    kb = _kb(request)
    if faq_id not in kb:
        raise HTTPException(status_code=404, detail="FAQが見つかりません。")
    values = {**await _form_values(request), "id": faq_id}  # the id is not editable: calls refer to it
    try:
        entry = faq_store.faq_from_form(values)
    except FaqImportError as exc:
        redisplay = {**values, "transfer": values["transfer"] in ("on", "true", "1")}
        return _form_page(request, kb, redisplay, is_new=False, error=str(exc), status_code=400)
    audit.record(session, user.username, "faq.update", "faq", entry.id, {"variants": len(entry.variants)})
    faq_store.save(kb.upsert(entry), _path(request), request.app.state)
    session.commit()
    return _done("saved", entry.id)


@router.post(BASE + "/items/{faq_id}/delete", dependencies=[Depends(verify_csrf)])
def delete_faq(request: Request, faq_id: str, user: StaffUser = Depends(editor),
               session: Session = Depends(db_session)) -> Response:
    kb = _kb(request)
    if faq_id not in kb:
        raise HTTPException(status_code=404, detail="FAQが見つかりません。")
    if len(kb) == 1:
        raise HTTPException(status_code=400, detail="最後の1件は削除できません。")
    audit.record(session, user.username, "faq.delete", "faq", faq_id, {"faqs": len(kb) - 1})
    faq_store.save(kb.remove(faq_id), _path(request), request.app.state)
    session.commit()
    return _done("deleted", faq_id)


@router.get(BASE + "/export.yaml")
def export_yaml(request: Request, _user: StaffUser = Depends(staff)) -> Response:
    return Response(faq_store.export_yaml(_kb(request)), media_type="application/x-yaml; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="faq.yaml"'})


@router.get(BASE + "/export.csv")
def export_csv(request: Request, _user: StaffUser = Depends(staff)) -> Response:
    return Response(faq_store.export_csv(_kb(request)), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="faq.csv"'})


@router.get(BASE + "/import")
def import_form(request: Request, _user: StaffUser = Depends(editor)) -> Response:
    return render(request, "faq/import.html", {"error": None, "preview": None, "payload": ""})


@router.post(BASE + "/import", dependencies=[Depends(verify_csrf)])
async def import_preview(request: Request, file: UploadFile = File(...),
                         _user: StaffUser = Depends(editor)) -> Response:
    """Validate the upload and show what would change; nothing is written until 「取り込む」 is pressed."""
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    try:
        if len(data) > MAX_UPLOAD_BYTES:
            raise FaqImportError("ファイルが大きすぎます（5MBまで）。")
        incoming = faq_store.parse_upload(file.filename or "", data)
    except FaqImportError as exc:
        return render(request, "faq/import.html", {"error": str(exc), "preview": None, "payload": ""},
                      status_code=400)
    current = _kb(request)
    if not incoming.city:  # a CSV saved without the 「# city:」 line keeps the city name
        incoming = replace(incoming, city=current.city)
    change = faq_store.preview(current, incoming)
    # The validated KB travels back as YAML in the confirm form (re-validated there): no server-side state.
    payload = faq_store.export_yaml(incoming).decode("utf-8")
    return render(request, "faq/import.html", {"error": None, "preview": change, "payload": payload})


@router.post(BASE + "/import/apply", dependencies=[Depends(verify_csrf)])
def import_apply(request: Request, payload: str = Form("", max_length=MAX_UPLOAD_BYTES),
                 user: StaffUser = Depends(editor), session: Session = Depends(db_session)) -> Response:
    try:
        incoming = faq_store.parse_upload("import.yaml", payload.encode("utf-8"))
    except FaqImportError as exc:
        return render(request, "faq/import.html", {"error": str(exc), "preview": None, "payload": ""},
                      status_code=400)
    change = faq_store.preview(_kb(request), incoming)
    audit.record(session, user.username, "faq.import", "faq_kb", "all",
                 {"added": len(change.added), "changed": len(change.changed), "removed": len(change.removed),
                  "total": change.total})
    faq_store.save(incoming, _path(request), request.app.state)
    session.commit()
    label = f"追加{len(change.added)}件・変更{len(change.changed)}件・削除{len(change.removed)}件"
    return _done("imported", label)
