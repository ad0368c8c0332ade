"""Summarizing an approved consultation, and staff confirming the summary.

Two guards stand between a transcript and the summarizer:

1. **Approval.** Only the exact text a reviewer approved is sent: the approval's hash must match the
   current version's text. Anything else is refused (``SummaryRefused``), at request time and again in
   the job.
2. **Re-scan.** Right before sending, the approved text is scanned with the detector again. If a
   high-risk identifier (phone, My Number, bank, insurance, e-mail, postal code) is still there, the
   request is blocked, the approval revoked, and the consultation returns to review — audited.
"""

from __future__ import annotations

import json
import logging
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.clock import utcnow
from masking import spans as mask_spans
from masking.anonymize import PLACEHOLDER_NAMES
from masking.consultations import SYSTEM, get, latest_version, move
from masking.detection import PiiSpan
from masking.errors import NotFound, SummaryRefused, WorkflowError
from masking.models import Consultation, MaskedTranscript, ReviewDecision, Summary
from masking.review import active_approval, new_version
from masking.runtime import MaskingRuntime
from masking.status import ConsultationStatus as S
from masking.summarize import SECTION_TITLES, SummarizerError

log = logging.getLogger("madoguchi.masking")
RESCAN = "rescan"
RESCAN_FAILED = "送信前の個人情報の再検査に失敗しました。「再実行」を押してください。"
SUMMARY_FAILED = "要約の作成に失敗しました。「再実行」を押してください。"
NOT_APPROVED = "生成AIへの入力が承認されていないため、要約できません。先にマスキング結果を確認して承認してください。"
MAX_SECTION_CHARS = 4000


def _approved_text(session: Session, consultation: Consultation) -> tuple[ReviewDecision, MaskedTranscript]:
    decision = active_approval(session, consultation.id)
    version = latest_version(session, consultation.id)
    if decision is None or version is None or decision.transcript_id != version.id \
            or decision.text_hash != version.text_hash:
        raise SummaryRefused(NOT_APPROVED)
    return decision, version


def request_summary(rt: MaskingRuntime, consultation_id: int, actor: str) -> None:
    """Refuses unless the consultation is approved; then ``summarizing`` (the job does the work)."""
    with rt.sessions() as session:
        consultation = get(session, consultation_id)
        if consultation.status not in (S.APPROVED, S.SUMMARY_FAILED):
            audit.record(session, actor, "masking.summary.refused", "consultation", consultation_id,
                         {"status": consultation.status})
            session.commit()
            raise SummaryRefused(NOT_APPROVED)
        decision, version = _approved_text(session, consultation)
        move(consultation, S.SUMMARIZING)
        audit.record(session, actor, "masking.summary.request", "consultation", consultation_id,
                     {"decision_id": decision.id, "version": version.number})
        session.commit()


def run_summary(rt: MaskingRuntime, consultation_id: int) -> str:
    """The job's work. Returns what happened: summarized | blocked | failed | skipped."""
    with rt.sessions() as session:
        consultation = get(session, consultation_id)
        if consultation.status != S.SUMMARIZING:
            return "skipped"  # done already, or moved on
        try:
            decision, version = _approved_text(session, consultation)
        except SummaryRefused as exc:  # the approval no longer matches the text: back to review
            move(consultation, S.PENDING_REVIEW)
            consultation.notice = exc.message
            audit.record(session, SYSTEM, "masking.summary.refused", "consultation", consultation_id,
                         {"status": S.SUMMARIZING.value})
            session.commit()
            return "refused"
        existing = session.scalar(select(Summary).where(Summary.decision_id == decision.id))
        if existing is not None:  # a re-run after a crash between the insert and the state change
            move(consultation, S.SUMMARIZED)
            session.commit()
            return "summarized"
        text, decision_id, text_hash = version.masked_text, decision.id, version.text_hash

    try:
        found = rt.detector().high_risk(text)
    except Exception as exc:  # no re-scan, no sending
        _fail(rt, consultation_id, RESCAN_FAILED, exc)
        return "failed"
    if found:
        _block(rt, consultation_id, decision_id, found)
        return "blocked"

    try:
        draft = rt.summarizer().summarize(text)
    except SummarizerError as exc:
        _fail(rt, consultation_id, exc.message, exc)
        return "failed"
    except Exception as exc:  # a summarizer bug must not leave the consultation "summarizing"
        _fail(rt, consultation_id, SUMMARY_FAILED, exc)
        return "failed"
    with rt.sessions() as session:
        consultation = get(session, consultation_id)
        if consultation.status != S.SUMMARIZING:
            return "skipped"
        summary = Summary(consultation_id=consultation_id, decision_id=decision_id, text_hash=text_hash,
                          generator=draft.generator, model=draft.model,
                          sections=json.dumps(draft.sections, ensure_ascii=False), status="draft")
        session.add(summary)
        session.flush()
        move(consultation, S.SUMMARIZED)
        audit.record(session, SYSTEM, "masking.summary.create", "summary", summary.id,
                     {"consultation_id": consultation_id, "decision_id": decision_id,
                      "generator": draft.generator, "model": draft.model})
        session.commit()
    return "summarized"


def latest_summary(session: Session, consultation_id: int) -> Summary | None:
    return session.scalar(select(Summary).where(Summary.consultation_id == consultation_id)
                          .order_by(Summary.id.desc()).limit(1))


def sections_of(summary: Summary) -> dict[str, str]:
    """What staff see: their edits when there are any, else the AI output."""
    data: dict[str, str] = json.loads(summary.edited_sections or summary.sections)
    return {title: data.get(title, "") for title in SECTION_TITLES}


def _summary(session: Session, summary_id: int) -> Summary:
    summary = session.get(Summary, summary_id)
    if summary is None:
        raise NotFound("要約が見つかりません。")
    return summary


def edit(rt: MaskingRuntime, summary_id: int, actor: str, sections: dict[str, str]) -> None:
    cleaned = {title: sections.get(title, "").replace("\r\n", "\n").strip()[:MAX_SECTION_CHARS]
               for title in SECTION_TITLES}
    with rt.sessions() as session:
        summary = _summary(session, summary_id)
        if summary.status != "draft":
            raise WorkflowError("確定済みの要約は編集できません。")
        before = sections_of(summary)
        summary.edited_sections = json.dumps(cleaned, ensure_ascii=False)
        summary.edited_by = actor
        changed = [title for title in SECTION_TITLES if before[title] != cleaned[title]]
        audit.record(session, actor, "masking.summary.edit", "summary", summary_id,
                     {"consultation_id": summary.consultation_id, "sections": changed})
        session.commit()


def confirm(rt: MaskingRuntime, summary_id: int, actor: str) -> None:
    """「確認して確定」: the summary becomes a record; the AI label is replaced by who confirmed it."""
    with rt.sessions() as session:
        summary = _summary(session, summary_id)
        consultation = get(session, summary.consultation_id)
        move(consultation, S.CONFIRMED)
        summary.status, summary.confirmed_by, summary.confirmed_at = "confirmed", actor, utcnow()
        audit.record(session, actor, "masking.summary.confirm", "summary", summary_id,
                     {"consultation_id": summary.consultation_id, "edited": summary.edited_sections is not None})
        session.commit()


def _block(rt: MaskingRuntime, consultation_id: int, decision_id: int, found: list[PiiSpan]) -> None:
    """Revoke the approval, send the consultation back to review, and propose masks for what was found:
    a new version masks the identifiers (a reviewer still has to look and approve again)."""
    risky = Counter(span.label for span in found)
    with rt.sessions() as session:
        consultation = get(session, consultation_id)
        decision_row = session.get(ReviewDecision, decision_id)
        assert decision_row is not None
        decision_row.revoked_at = utcnow()
        move(consultation, S.PENDING_REVIEW)
        names = "・".join(PLACEHOLDER_NAMES.get(label, label) for label in sorted(risky))
        consultation.notice = (f"承認された文に個人情報（{names}）が残っていたため、生成AIへの送信を止めました。"
                               "見つかった箇所を自動でマスクした版を作りました。確認して、もう一度承認してください。")
        version = propose_masks(rt, session, consultation, found)
        audit.record(session, SYSTEM, "masking.summary.blocked", "consultation", consultation_id,
                     {"decision_id": decision_id, "labels": dict(risky),
                      "proposed_version": version.number if version else None})
        session.commit()
    log.warning("masking summary blocked by re-scan consultation=%s labels=%s", consultation_id, sorted(risky))


def propose_masks(rt: MaskingRuntime, session: Session, consultation: Consultation, found: list[PiiSpan]
                  ) -> MaskedTranscript | None:
    """A new version with the re-scan's findings (offsets in the masked text) masked in the raw text."""
    previous = latest_version(session, consultation.id)
    if previous is None or consultation.raw_transcript_enc is None:
        return None
    raw = rt.cipher.decrypt_text(consultation.raw_transcript_enc)
    current = mask_spans.loads(previous.spans)
    masked = mask_spans.mask(raw, current)
    added = list(current)
    for span in found:
        start, end = mask_spans.masked_to_raw(current, masked, span.start, span.end)
        added.append(mask_spans.MaskSpan(start, end, span.label, RESCAN))
    return new_version(rt, session, consultation, previous, raw, mask_spans.normalize(added), SYSTEM, "rescan",
                       None, None)


def _fail(rt: MaskingRuntime, consultation_id: int, message: str, exc: Exception) -> None:
    log.error("masking summary failed consultation=%s error=%s", consultation_id, type(exc).__name__)
    with rt.sessions() as session:
        consultation = get(session, consultation_id)
        if consultation.status == S.SUMMARIZING:
            move(consultation, S.SUMMARY_FAILED, error=message)
            audit.record(session, SYSTEM, "masking.summary.failed", "consultation", consultation_id,
                         {"error": type(exc).__name__, "retryable": bool(getattr(exc, "retryable", True))})
            session.commit()
