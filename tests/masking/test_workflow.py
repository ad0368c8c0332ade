"""The consultation workflow on the service layer, against the real detection engine and a real database
(SQLite, and PostgreSQL when installed): text in → masked → reviewed → approved → summarized → confirmed,
the refusal before approval, the re-scan block, retention, and the audit trail."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core import audit
from core.clock import utcnow
from core.jobs import configure_queue, reset_queue
from masking import consultations, retention, review, summaries
from masking.errors import IllegalTransition, ReviewConflict, SummaryRefused, WorkflowError
from masking.jobs import mask_consultation, summarize_consultation
from masking.models import Consultation, MaskedTranscript, ReviewDecision, Summary
from masking.runtime import MaskingRuntime, use_runtime
from masking.spans import loads
from masking.summarize.extractive import ExtractiveSummarizer
from masking.summarize.openai_compatible import OpenAICompatibleSummarizer
from tests.masking.workflow_support import (
    LLM_REPLY,
    NAME,
    PHONE,
    SAMPLE,
    audit_actions,
    audit_details,
    chat_server,
    make_runtime,
    settings_for,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def rt(tmp_path: Path, database_url: str, sessions: sessionmaker[Session]) -> MaskingRuntime:
    settings = settings_for(tmp_path, database_url)
    configure_queue(settings)  # immediate: an enqueued job runs inside the test
    runtime = make_runtime(settings, sessions, ExtractiveSummarizer())
    use_runtime(runtime)
    yield runtime  # type: ignore[misc]
    use_runtime(None)
    reset_queue()


def _current(rt: MaskingRuntime, cid: int) -> MaskedTranscript:
    with rt.sessions() as session:
        version = consultations.latest_version(session, cid)
        assert version is not None
        return version


def _status(rt: MaskingRuntime, cid: int) -> str:
    with rt.sessions() as session:
        return consultations.get(session, cid).status


def _masked_consultation(rt: MaskingRuntime) -> int:
    cid = consultations.create_from_text(rt, "yamada", SAMPLE)
    mask_consultation.enqueue(cid)  # immediate queue: runs the real detector now
    assert _status(rt, cid) == "pending_review"
    return cid


def test_text_to_confirmed_summary_with_refusal_and_audit(rt: MaskingRuntime) -> None:
    cid = _masked_consultation(rt)
    v1 = _current(rt, cid)
    assert v1.number == 1 and v1.created_by == "system"
    assert PHONE not in v1.masked_text and NAME not in v1.masked_text
    assert "【電話番号1】" in v1.masked_text and "【氏名" in v1.masked_text
    with rt.sessions() as session:  # the raw transcript and the mapping are encrypted at rest
        row = session.get(Consultation, cid)
        assert row is not None and row.raw_transcript_enc is not None
        assert PHONE.encode() not in row.raw_transcript_enc and NAME.encode() not in row.raw_transcript_enc
        assert v1.mapping_enc is not None and PHONE.encode() not in v1.mapping_enc
        assert json.loads(rt.cipher.decrypt_text(v1.mapping_enc))["【電話番号1】"] == PHONE

    # Before approval, summarizing is refused (and the refusal is audited).
    with pytest.raises(SummaryRefused):
        summaries.request_summary(rt, cid, "yamada")
    assert _status(rt, cid) == "pending_review"

    # Unmasking needs a reason; the staff member's name 大野 is unmasked, then a mask is added.
    spans = loads(v1.spans)
    ono = next(i for i, s in enumerate(spans) if SAMPLE[s.start:s.end] == "大野")
    with pytest.raises(ReviewConflict):
        review.unmask(rt, cid, "yamada", 1, ono, "  ")
    assert review.unmask(rt, cid, "yamada", 1, ono, "職員の名前で相談者の個人情報ではない") == 2
    with pytest.raises(ReviewConflict):  # a page showing version 1 is stale now
        review.unmask(rt, cid, "yamada", 1, 0, "理由")
    start = SAMPLE.index("生活支援課")
    assert review.add_mask(rt, cid, "yamada", 2, start, start + len("生活支援課"), "ORGANIZATION_PERSONAL") == 3
    v3 = _current(rt, cid)
    assert "大野" in v3.masked_text and "生活支援課" not in v3.masked_text and "【勤務先1】" in v3.masked_text

    decision = review.decide(rt, cid, "yamada", "山田 花子", 3, approve=True)
    assert decision.text_hash == v3.text_hash and decision.reviewer_name == "山田 花子"
    with pytest.raises(IllegalTransition):  # an approved text cannot be edited or approved again
        review.decide(rt, cid, "yamada", "山田 花子", 3, approve=True)

    summaries.request_summary(rt, cid, "yamada")
    summarize_consultation.enqueue(cid)
    assert _status(rt, cid) == "summarized"
    with rt.sessions() as session:
        summary = summaries.latest_summary(session, cid)
        assert summary is not None and summary.status == "draft" and summary.generator == "extractive"
        sections = summaries.sections_of(summary)
    assert list(sections) == ["相談者の状況", "主訴", "対応・助言", "今後の対応"]
    assert "家賃が払えなくて困っています" in sections["主訴"]
    assert PHONE not in json.dumps(sections, ensure_ascii=False)

    summaries.edit(rt, summary.id, "yamada", {**sections, "主訴": "家賃の支払いが難しい。"})
    summaries.confirm(rt, summary.id, "yamada")
    assert _status(rt, cid) == "confirmed"
    with rt.sessions() as session:
        confirmed = session.get(Summary, summary.id)
        assert confirmed is not None and confirmed.status == "confirmed" and confirmed.confirmed_by == "yamada"
        assert summaries.sections_of(confirmed)["主訴"] == "家賃の支払いが難しい。"
        assert json.loads(confirmed.sections)["主訴"] != "家賃の支払いが難しい。"  # the AI output is kept

    assert audit_actions(rt.sessions) == [
        "masking.consultation.create", "masking.masked", "masking.summary.refused", "masking.mask.remove",
        "masking.mask.add", "masking.review.approve", "masking.summary.request", "masking.summary.create",
        "masking.summary.edit", "masking.summary.confirm",
    ]
    assert not any(PHONE in d or NAME in d for d in audit_details(rt.sessions))  # ids and reasons, no text
    with rt.sessions() as session:
        assert audit.verify(session).ok


def test_rescan_blocks_a_high_risk_identifier_and_returns_to_review(rt: MaskingRuntime) -> None:
    with chat_server() as server:
        rt._summarizer = OpenAICompatibleSummarizer(server.url, "test-model", retry_delay=0)
        cid = _masked_consultation(rt)
        v1 = _current(rt, cid)
        phone = next(i for i, s in enumerate(loads(v1.spans)) if s.label == "PHONE_NUMBER")
        review.unmask(rt, cid, "yamada", 1, phone, "誤って解除")  # a reviewer mistake
        review.decide(rt, cid, "yamada", "山田 花子", 2, approve=True)
        assert PHONE in _current(rt, cid).masked_text

        summaries.request_summary(rt, cid, "yamada")
        summarize_consultation.enqueue(cid)

        assert server.requests == []  # nothing reached the LLM
    assert _status(rt, cid) == "pending_review"
    with rt.sessions() as session:
        consultation = consultations.get(session, cid)
        assert consultation.notice is not None and "電話番号" in consultation.notice
        revoked = session.scalars(select(ReviewDecision).where(ReviewDecision.consultation_id == cid)).one()
        assert revoked.revoked_at is not None
        assert summaries.latest_summary(session, cid) is None
        assert review.active_approval(session, cid) is None
        blocked = session.scalars(select(audit.AuditEntry).where(audit.AuditEntry.action == "masking.summary.blocked")
                                  ).one()
        assert json.loads(blocked.detail) == {"decision_id": revoked.id, "labels": {"PHONE_NUMBER": 1},
                                              "proposed_version": 3}
        assert audit.verify(session).ok
    with pytest.raises(SummaryRefused):  # the revoked approval no longer counts
        summaries.request_summary(rt, cid, "yamada")

    # The block proposed version 3 with the number masked again; the reviewer checks it and re-approves.
    proposed = _current(rt, cid)
    assert proposed.number == 3 and proposed.change_kind == "rescan" and proposed.created_by == "system"
    assert PHONE not in proposed.masked_text and "【電話番号1】" in proposed.masked_text
    assert any(s.origin == "rescan" and SAMPLE[s.start:s.end] == PHONE for s in loads(proposed.spans))
    review.decide(rt, cid, "yamada", "山田 花子", 3, approve=True)
    with chat_server() as server:
        rt._summarizer = OpenAICompatibleSummarizer(server.url, "test-model", retry_delay=0)
        summaries.request_summary(rt, cid, "yamada")
        summarize_consultation.enqueue(cid)
        assert len(server.requests) == 1
        sent = json.dumps(server.requests[0], ensure_ascii=False)
        assert PHONE not in sent and "【電話番号1】" in sent
    assert _status(rt, cid) == "summarized"


def test_jobs_are_idempotent(rt: MaskingRuntime) -> None:
    cid = _masked_consultation(rt)
    mask_consultation.enqueue(cid)  # a repeated run (a worker died after finishing) changes nothing
    with rt.sessions() as session:
        assert len(review.versions(session, cid)) == 1
    review.decide(rt, cid, "yamada", "山田 花子", 1, approve=True)
    summaries.request_summary(rt, cid, "yamada")
    summarize_consultation.enqueue(cid)
    summarize_consultation.enqueue(cid)
    with rt.sessions() as session:
        assert len(session.scalars(select(Summary).where(Summary.consultation_id == cid)).all()) == 1


def test_rejected_consultation_is_never_summarized(rt: MaskingRuntime) -> None:
    cid = _masked_consultation(rt)
    with pytest.raises(ReviewConflict):
        review.decide(rt, cid, "yamada", "山田 花子", 1, approve=False, reason="")
    review.decide(rt, cid, "yamada", "山田 花子", 1, approve=False, reason="録音が別の相談と混在")
    assert _status(rt, cid) == "rejected"
    with pytest.raises(SummaryRefused):
        summaries.request_summary(rt, cid, "yamada")


def test_raw_view_needs_a_reason_and_is_audited(rt: MaskingRuntime) -> None:
    cid = _masked_consultation(rt)
    with pytest.raises(ReviewConflict):
        review.read_raw(rt, cid, "yamada", "")
    assert review.read_raw(rt, cid, "yamada", "録音内容と照合するため") == SAMPLE
    with rt.sessions() as session:
        entry = session.scalars(select(audit.AuditEntry).where(audit.AuditEntry.action == "masking.raw.view")).one()
        assert json.loads(entry.detail) == {"reason": "録音内容と照合するため"} and entry.actor == "yamada"


def test_retention_deletes_raw_data_and_keeps_the_masked_record(rt: MaskingRuntime) -> None:
    old = _masked_consultation(rt)
    recent = consultations.create_from_text(rt, "yamada", "相談者：先週の件で電話しました。")
    relative = rt.audio.save(b"RIFF....WAVEfake")  # an encrypted recording belonging to the old consultation
    with rt.sessions() as session:
        row = consultations.get(session, old)
        row.created_at = utcnow() - timedelta(days=31)
        row.audio_file = relative
        session.commit()
    assert retention.purge_expired(rt) == [old]
    assert retention.purge_expired(rt) == []  # idempotent
    assert not (rt.settings.data_dir / relative).exists()
    with rt.sessions() as session:
        purged = consultations.get(session, old)
        assert purged.raw_transcript_enc is None and purged.raw_deleted_at is not None and purged.audio_file is None
        version = consultations.latest_version(session, old)
        assert version is not None and version.mapping_enc is None and "【電話番号1】" in version.masked_text
        assert consultations.get(session, recent).raw_transcript_enc is not None
        assert audit.verify(session).ok
    assert "masking.raw.purge" in audit_actions(rt.sessions)
    with pytest.raises(WorkflowError):  # nothing left to edit against
        review.unmask(rt, old, "yamada", 1, 0, "理由")


def test_llm_failure_is_a_failed_state_with_a_japanese_message_and_can_be_retried(rt: MaskingRuntime) -> None:
    cid = _masked_consultation(rt)
    review.decide(rt, cid, "yamada", "山田 花子", 1, approve=True)
    with chat_server() as server:
        server.replies = [(401, {"error": "bad key"}), (200, LLM_REPLY)]
        rt._summarizer = OpenAICompatibleSummarizer(server.url, "m", "wrong-key", retry_delay=0)
        summaries.request_summary(rt, cid, "yamada")
        summarize_consultation.enqueue(cid)
        with rt.sessions() as session:
            failed = consultations.get(session, cid)
            assert failed.status == "summary_failed" and "APIキー" in (failed.error_message or "")
        assert consultations.retry(rt, cid, "yamada").value == "summarizing"
        summarize_consultation.enqueue(cid)
    assert _status(rt, cid) == "summarized" and len(server.requests) == 2
    assert "masking.summary.failed" in audit_actions(rt.sessions)
