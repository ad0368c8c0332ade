"""「FAQ管理」: list/search for every role, edit/add/delete/import for supervisors and admins, on a real
KB file in tmp_path. Changes are written atomically with a backup, audited without text, escaped on
display, and picked up by the running voice bot's matcher."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import faq
from core.audit import AuditEntry, verify
from core.settings import Settings
from core.users import Role
from faq.kb_csv import parse_csv
from tests.web.conftest import csrf_from, log_in

KB_SOURCE = faq.DEFAULT_KB_PATH


@pytest.fixture
def kb_path(tmp_path: Path) -> Path:
    path = tmp_path / "kb" / "tax_faq.yaml"
    path.parent.mkdir()
    shutil.copy(KB_SOURCE, path)
    return path


@pytest.fixture
def web_settings(web_settings: Settings, kb_path: Path) -> Settings:
    return web_settings.model_copy(update={"faq_kb_path": kb_path})


def _token(client: TestClient, path: str = "/console/faq") -> str:
    return csrf_from(client.get(path).text)


def _audit(sessions: sessionmaker[Session], action: str) -> list[AuditEntry]:
    with sessions() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _form(entry: faq.Faq, **changes: str) -> dict[str, str]:
    values = {"id": entry.id, "category": entry.category, "question": entry.question,
              "variants": "\n".join(entry.variants), "answer_voice": entry.answer_voice,
              "answer_text": entry.answer_text, "department": entry.department}
    if entry.transfer:
        values["transfer"] = "on"
    return {**values, **changes}


def test_staff_can_list_search_and_filter_but_not_change(client: TestClient, make_user: Callable[..., str],
                                                         kb_path: Path) -> None:
    log_in(client, make_user("suzuki", Role.STAFF))
    page = client.get("/console/faq")
    assert page.status_code == 200
    assert "FAQ管理" in page.text and "未解決の質問" in page.text  # nav entries
    assert "JUMIN-001" in page.text and "全 87 件" in page.text
    assert 'href="/console/faq/new"' not in page.text  # no edit links for staff
    found = client.get("/console/faq", params={"q": "口座振替"})
    assert found.status_code == 200 and "全 87 件" in found.text
    kb = faq.load_kb(kb_path)
    expected = kb.search("口座振替")
    assert expected and f"{len(expected)} 件（全 87 件）" in found.text
    category = kb.categories[1]
    filtered = client.get("/console/faq", params={"category": category})
    in_category = [f for f in kb if f.category == category]
    assert f"{len(in_category)} 件（全 87 件）" in filtered.text
    assert all(f.id in filtered.text for f in in_category)
    # viewing one FAQ is allowed, read-only; changing is not
    detail = client.get("/console/faq/items/JUMIN-001")
    assert detail.status_code == 200 and "閲覧のみです" in detail.text and "削除する" not in detail.text
    before = kb_path.read_bytes()
    token = csrf_from(detail.text)
    edit = client.post("/console/faq/items/JUMIN-001",
                       data={**_form(kb["JUMIN-001"], question="変えた"), "csrf_token": token})
    assert edit.status_code == 403
    assert client.get("/console/faq/new").status_code == 403
    assert client.post("/console/faq/items/JUMIN-001/delete", data={"csrf_token": token}).status_code == 403
    assert kb_path.read_bytes() == before


def test_supervisor_edits_an_faq_with_backup_audit_and_escaping(client: TestClient, make_user: Callable[..., str],
                                                                 kb_path: Path,
                                                                 web_sessions: sessionmaker[Session]) -> None:
    log_in(client, make_user("sato", Role.SUPERVISOR))
    before = kb_path.read_bytes()
    entry = faq.load_kb(kb_path)["JUMIN-001"]
    hostile = "納期は<script>alert('x')</script>です"
    response = client.post("/console/faq/items/JUMIN-001", follow_redirects=False, data={
        **_form(entry, answer_text=hostile, variants="住民税いつまで\n\n住民税の締め切り"),
        "csrf_token": _token(client, "/console/faq/items/JUMIN-001")})
    assert response.status_code == 303
    saved = faq.load_kb(kb_path)
    assert saved["JUMIN-001"].answer_text == hostile
    assert saved["JUMIN-001"].variants == ("住民税いつまで", "住民税の締め切り")
    assert len(saved) == 87 and [f.id for f in saved] == [f.id for f in faq.load_kb(KB_SOURCE)]
    assert (kb_path.parent / "tax_faq.yaml.bak").read_bytes() == before
    assert not list(kb_path.parent.glob("*.tmp"))
    notice = client.get(response.headers["location"])
    assert "FAQ JUMIN-001 を保存しました" in notice.text
    page = client.get("/console/faq/items/JUMIN-001")
    assert "<script>alert" not in page.text and "&lt;script&gt;alert(" in page.text
    assert "<script>alert" not in client.get("/console/faq", params={"q": "alert"}).text
    [entry_audit] = _audit(web_sessions, "faq.update")
    assert entry_audit.actor == "sato" and entry_audit.target_id == "JUMIN-001"
    assert "script" not in entry_audit.detail and "住民税" not in entry_audit.detail
    with web_sessions() as s:
        assert verify(s).ok


def test_edit_with_an_empty_required_field_is_refused_and_changes_nothing(
        client: TestClient, make_user: Callable[..., str], kb_path: Path) -> None:
    log_in(client, make_user("admin1", Role.ADMIN))
    before = kb_path.read_bytes()
    entry = faq.load_kb(kb_path)["JUMIN-001"]
    response = client.post("/console/faq/items/JUMIN-001", data={
        **_form(entry, answer_voice="  "), "csrf_token": _token(client)})
    assert response.status_code == 400 and "電話での回答" in response.text
    assert kb_path.read_bytes() == before


@pytest.mark.parametrize(("faq_id", "message"), [
    ("abc", "FAQ番号は「JUMIN-001」のように"),
    ("JUMIN-1", "FAQ番号は「JUMIN-001」のように"),
    ("JUMIN-001", "FAQ番号 JUMIN-001 はすでに使われています"),
])
def test_add_refuses_a_bad_or_taken_id(client: TestClient, make_user: Callable[..., str], kb_path: Path,
                                       faq_id: str, message: str) -> None:
    log_in(client, make_user("sato", Role.SUPERVISOR))
    before = kb_path.read_bytes()
    response = client.post("/console/faq/new", data={
        "id": faq_id, "category": "入湯税", "question": "入湯税はどうやって納めますか", "variants": "",
        "answer_voice": "施設が納めます。", "answer_text": "施設が納めます。", "department": "市民税課",
        "csrf_token": _token(client)})
    assert response.status_code == 400 and message in response.text
    assert 'value="入湯税はどうやって納めますか"' in response.text  # the form keeps what was typed
    assert kb_path.read_bytes() == before


def test_add_and_delete_reload_the_running_voice_matcher(client: TestClient,
                                                          make_user: Callable[..., str], kb_path: Path,
                                                          web_settings: Settings,
                                                          web_sessions: sessionmaker[Session]) -> None:
    from voice.answerer import FaqLibraryAnswerer
    from voice.wiring import VoiceRuntime

    state = client.app.state  # type: ignore[attr-defined]
    state.voice = VoiceRuntime(web_settings, state.db_sessions, answerer=FaqLibraryAnswerer.from_path(kb_path))
    question = "入湯税はどうやって納めますか"
    assert state.voice.answerer.match(question).action != "answer"
    log_in(client, make_user("sato", Role.SUPERVISOR))
    form = client.get("/console/faq/new", params={"question": question, "category": "入湯税"})
    assert f'value="{question}"' in form.text and 'value="入湯税"' in form.text
    added = client.post("/console/faq/new", follow_redirects=False, data={
        "id": "NYUTO-001", "category": "入湯税", "question": question, "variants": "温泉の入湯税の納め方",
        "answer_voice": "入湯税は施設の経営者が毎月申告して納めます。", "answer_text": "入湯税は特別徴収です。",
        "department": "市民税課", "csrf_token": csrf_from(form.text)})
    assert added.status_code == 303
    assert "NYUTO-001" in faq.load_kb(kb_path)
    match = state.voice.answerer.match(question)
    assert (match.action, match.faq.id if match.faq else None) == ("answer", "NYUTO-001")
    assert state.voice.answerer.get("NYUTO-001").department == "市民税課"

    deleted = client.post("/console/faq/items/NYUTO-001/delete", data={"csrf_token": _token(client)},
                          follow_redirects=False)
    assert deleted.status_code == 303
    assert "NYUTO-001" not in faq.load_kb(kb_path)
    assert state.voice.answerer.match(question).action != "answer"
    [created] = _audit(web_sessions, "faq.create")
    [removed] = _audit(web_sessions, "faq.delete")
    assert (created.target_id, removed.target_id) == ("NYUTO-001", "NYUTO-001")
    assert "入湯税" not in created.detail


def test_exports_round_trip(client: TestClient, make_user: Callable[..., str], kb_path: Path) -> None:
    log_in(client, make_user("suzuki", Role.STAFF))
    kb = faq.load_kb(kb_path)
    as_csv = client.get("/console/faq/export.csv")
    assert as_csv.status_code == 200 and "attachment" in as_csv.headers["content-disposition"]
    assert as_csv.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    assert parse_csv(as_csv.content.decode("utf-8-sig")) == kb
    as_yaml = client.get("/console/faq/export.yaml")
    assert as_yaml.status_code == 200 and faq.kb.parse_kb_yaml(as_yaml.text) == kb
