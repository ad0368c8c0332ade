"""The consultation pages through the real app (Starlette TestClient, immediate queue, real detector):
create by paste/upload, upload errors that save nothing, review actions, approval, the API's refusal
before approval, the summary page, risk reports and who may see them."""

from __future__ import annotations

import io
import re
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.main import create_app
from core import audit
from core.db import make_engine, make_session_factory, session_scope
from core.jobs import reset_queue
from core.migrate import upgrade
from core.settings import Settings
from core.users import Role, create_user
from masking.models import Consultation, RiskReport
from masking.runtime import use_runtime
from masking.summarize.extractive import ExtractiveSummarizer
from tests.masking.workflow_support import PHONE, SAMPLE, make_runtime, settings_for
from tests.web.conftest import PASSWORD, csrf_from

pytestmark = pytest.mark.slow


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'web.db'}"
    upgrade(url)
    return settings_for(tmp_path, url, consultation_upload_max_mb=1)


@pytest.fixture
def db(settings: Settings) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    with session_scope(factory) as session:
        create_user(session, "yamada", "生活支援課 山田", Role.STAFF, PASSWORD)
        create_user(session, "sato", "課長 佐藤", Role.SUPERVISOR, PASSWORD)
    yield factory
    engine.dispose()


@pytest.fixture
def client(settings: Settings, db: sessionmaker[Session]) -> Iterator[TestClient]:
    app = create_app(settings)
    app.state.masking = make_runtime(settings, app.state.db_sessions, ExtractiveSummarizer())
    with TestClient(app, headers={"accept": "text/html"}) as test_client:
        yield test_client
    use_runtime(None)
    reset_queue()


def log_in(client: TestClient, username: str) -> str:
    page = client.get("/console/login")
    response = client.post("/console/login", data={"username": username, "password": PASSWORD,
                                                   "csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert response.status_code == 303
    return csrf_from(client.get("/console/masking/").text)


def wav_bytes(seconds: float = 0.5, rate: int = 16000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        t = np.arange(int(rate * seconds)) / rate
        out.writeframes((np.sin(2 * np.pi * 440 * t) * 8000).astype("<i2").tobytes())
    return buffer.getvalue()


def count(db: sessionmaker[Session], model: type) -> int:
    with db() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_paste_review_approve_summarize_confirm(client: TestClient, db: sessionmaker[Session]) -> None:
    token = log_in(client, "yamada")
    nav = client.get("/console/").text
    assert 'href="/console/masking/"' in nav and "相談記録" in nav and "/console/ai-risk/" not in nav

    created = client.post("/console/masking/new/text", data={"transcript": SAMPLE, "csrf_token": token},
                          follow_redirects=False)
    assert created.status_code == 303
    detail_url = created.headers["location"].split("?")[0]
    cid = int(detail_url.rsplit("/", 1)[1])
    page = client.get(detail_url).text
    assert "確認待ち" in page and PHONE not in page and "【電話番号1】" in page
    assert 'class="mask mask-phone_number"' in page and "生成AIへの入力を承認" in page
    dashboard = client.get("/console/").text
    assert re.search(r'<span class="figure">1</span> 件が確認待ち', dashboard)

    # the API refuses to summarize before approval
    refused = client.post(f"/api/masking/consultations/{cid}/summarize", headers={"x-csrf-token": token,
                                                                               "accept": "application/json"})
    assert refused.status_code == 409 and "承認されていない" in refused.json()["detail"]
    # and POSTs without the CSRF token are refused
    assert client.post(f"/console/masking/{cid}/approve", data={"version": "1"}).status_code == 403

    no_reason = client.post(f"/console/masking/{cid}/unmask", data={"version": "1", "index": "0", "reason": "",
                                                                    "csrf_token": token})
    assert no_reason.status_code == 409 and "理由を入力してください" in no_reason.text
    unmasked = client.post(f"/console/masking/{cid}/unmask", data={
        "version": "1", "index": "0", "reason": "職員の名前", "csrf_token": token}, follow_redirects=False)
    assert unmasked.status_code == 303
    added = client.post(f"/console/masking/{cid}/mask", data={
        "version": "2", "find": "生活支援課", "label": "ORGANIZATION_PERSONAL", "csrf_token": token},
        follow_redirects=False)
    assert added.status_code == 303
    stale = client.post(f"/console/masking/{cid}/approve", data={"version": "2", "csrf_token": token})
    assert stale.status_code == 409 and "別の画面で更新" in stale.text
    approved = client.post(f"/console/masking/{cid}/approve", data={"version": "3", "csrf_token": token},
                           follow_redirects=False)
    assert approved.status_code == 303
    page = client.get(detail_url).text
    assert "承認済み" in page and "生活支援課 山田：生成AIへの入力を承認" in page

    accepted = client.post(f"/api/masking/consultations/{cid}/summarize",
                           headers={"x-csrf-token": token, "accept": "application/json"})
    assert accepted.status_code == 202
    body = accepted.json()
    assert body["status"] == "summarized" and body["summary"]["status"] == "draft"
    assert "raw_transcript" not in accepted.text and PHONE not in accepted.text

    summary_page = client.get(f"/console/masking/{cid}/summary").text
    assert "AI生成・要確認" in summary_page and "確認して確定" in summary_page and "リスク報告" in summary_page
    summary_id = body["summary"]["id"]
    report = client.post("/console/ai-risk/reports", data={
        "target_type": "summary", "target_id": str(summary_id), "kind": "wrong", "note": "主訴が不正確",
        "csrf_token": token}, follow_redirects=False)
    assert report.status_code == 303 and "reported=" in report.headers["location"]
    edited = client.post(f"/console/masking/summaries/{summary_id}/edit", data={
        "section-0": "夫が退職した。", "section-1": "家賃が払えない。", "section-2": "住居確保給付金を案内。",
        "section-3": "来週連絡。", "csrf_token": token}, follow_redirects=False)
    assert edited.status_code == 303
    confirmed = client.post(f"/console/masking/summaries/{summary_id}/confirm", data={"csrf_token": token},
                            follow_redirects=False)
    assert confirmed.status_code == 303
    final = client.get(f"/console/masking/{cid}/summary").text
    assert "AI生成・要確認" not in final and "職員が確認して確定した要約" in final and "家賃が払えない。" in final

    # staff may not see the risk-report list; a supervisor closes the report
    assert client.get("/console/ai-risk/").status_code == 403
    client.post("/console/logout", data={"csrf_token": token})
    token = log_in(client, "sato")
    reports = client.get("/console/ai-risk/").text
    assert "主訴が不正確" in reports and "誤り" in reports
    report_id = re.search(r"/console/ai-risk/reports/(\d+)/close", reports)
    assert report_id
    closed = client.post(f"/console/ai-risk/reports/{report_id.group(1)}/close",
                         data={"note": "要約を修正済み", "csrf_token": token}, follow_redirects=False)
    assert closed.status_code == 303
    with db() as session:
        row = session.scalars(select(RiskReport)).one()
        assert row.status == "closed" and row.closed_by == "sato"
        assert audit.verify(session).ok
        actions = [e.action for e in session.scalars(select(audit.AuditEntry).order_by(audit.AuditEntry.seq))]
    assert actions.count("masking.review.approve") == 1
    assert {"masking.mask.remove", "masking.mask.add", "masking.summary.refused", "ai_risk.report",
            "ai_risk.close", "masking.summary.confirm"} <= set(actions)


def test_raw_view_needs_a_reason(client: TestClient) -> None:
    token = log_in(client, "yamada")
    created = client.post("/console/masking/new/text", data={"transcript": SAMPLE, "csrf_token": token},
                          follow_redirects=False)
    cid = created.headers["location"].split("?")[0].rsplit("/", 1)[1]
    refused = client.post(f"/console/masking/{cid}/raw", data={"reason": " ", "csrf_token": token})
    assert refused.status_code == 409 and PHONE not in refused.text
    shown = client.post(f"/console/masking/{cid}/raw", data={"reason": "録音と照合", "csrf_token": token})
    assert shown.status_code == 200 and PHONE in shown.text and "監査ログに記録" in shown.text


@pytest.mark.parametrize(("filename", "data", "message"), [
    ("notes.wav", b"this is not audio at all" * 10, "音声ファイルを読み取れませんでした"),
    ("empty.wav", b"", "音声ファイルが空です"),
    ("voice.ogg", wav_bytes(), "WAV・MP3・M4A・FLAC"),
    ("big.wav", b"RIFF" + b"\x00" * (1024 * 1024 + 10), "大きすぎます"),
])
def test_bad_audio_uploads_get_a_japanese_error_and_save_nothing(
        client: TestClient, db: sessionmaker[Session], settings: Settings, filename: str, data: bytes,
        message: str) -> None:
    token = log_in(client, "yamada")
    response = client.post("/console/masking/new/audio", data={"csrf_token": token},
                           files={"audio": (filename, data, "audio/wav")})
    assert response.status_code == 400
    assert message in response.text and 'role="alert"' in response.text
    assert count(db, Consultation) == 0
    audio_dir = settings.data_dir / "masking" / "audio"
    assert not audio_dir.exists() or list(audio_dir.iterdir()) == []


def test_transcript_file_upload_and_its_errors(client: TestClient, db: sessionmaker[Session]) -> None:
    token = log_in(client, "yamada")
    sjis = client.post("/console/masking/new/text", data={"csrf_token": token},
                       files={"transcript_file": ("memo.txt", SAMPLE.encode("cp932"), "text/plain")},
                       follow_redirects=False)
    assert sjis.status_code == 303  # Shift_JIS from an old editor is read too
    wrong = client.post("/console/masking/new/text", data={"csrf_token": token},
                        files={"transcript_file": ("memo.docx", b"PK\x03\x04", "application/octet-stream")})
    assert wrong.status_code == 400 and "テキスト形式" in wrong.text
    empty = client.post("/console/masking/new/text", data={"transcript": "  ", "csrf_token": token})
    assert empty.status_code == 400 and "文字起こしが空です" in empty.text
    assert count(db, Consultation) == 1


def test_a_consultation_from_a_recorded_call(client: TestClient, db: sessionmaker[Session],
                                             settings: Settings) -> None:
    from core.clock import utcnow
    from core.crypto import DataCipher
    from voice.models import Call, Turn

    cipher = DataCipher(settings.data_key.get_secret_value())
    now = utcnow()
    with session_scope(db) as session:
        call = Call(call_sid="CA" + "0" * 32, asr_path="gather", started_at=now, updated_at=now, state="ended",
                    turns=2, answers=0, context_enc=b"")
        session.add(call)
        session.flush()
        for seq, said in enumerate(["川村と申します。家賃が払えなくて困っています。", f"電話番号は{PHONE}です。"], 1):
            session.add(Turn(call_id=call.id, seq=seq, at=now, kind="caller", text_enc=cipher.encrypt_text(said),
                             state_after="listening", actions_enc=cipher.encrypt_text("[]")))
        call_id = call.id
    token = log_in(client, "yamada")
    unknown = client.post("/console/masking/new/call", data={"call_id": "999", "csrf_token": token})
    assert unknown.status_code == 404 and "通話記録が見つかりません" in unknown.text
    created = client.post("/console/masking/new/call", data={
        "call_id": f"http://127.0.0.1:8000/console/voice/calls/{call_id}", "csrf_token": token},
        follow_redirects=False)
    assert created.status_code == 303
    page = client.get(created.headers["location"].split("?")[0]).text
    assert "通話記録" in page and "確認待ち" in page and PHONE not in page and "【電話番号1】" in page
    with db() as session:
        row = session.scalars(select(Consultation)).one()
        assert row.source == "call" and row.raw_transcript_enc is not None
        assert cipher.decrypt_text(row.raw_transcript_enc).startswith("相談者：川村と申します。")
