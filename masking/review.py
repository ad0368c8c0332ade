"""The reviewer's part: correct the masks, approve the exact masked text for AI input (or reject it),
and — only with a recorded reason — look at the raw transcript.

Each mask change makes a new ``MaskedTranscript`` version; the page says which version it showed, so a
change made on a stale page is refused instead of silently applied to different text. Audit details
hold ids, labels, counts and the reviewer's reason; never transcript text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import audit
from core.clock import utcnow
from masking import spans as mask_spans
from masking.consultations import get, latest_version, move
from masking.errors import ReviewConflict, WorkflowError
from masking.models import Consultation, MaskedTranscript, ReviewDecision
from masking.runtime import MaskingRuntime
from masking.status import ConsultationStatus as S

MAX_REASON = 500
STALE = "この相談記録は別の画面で更新されています。画面を再読み込みしてから操作してください。"


@dataclass(frozen=True)
class ReviewView:
    consultation: Consultation
    version: MaskedTranscript
    segments: list[mask_spans.Segment]
    masks: int


def _reason(reason: str, what: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ReviewConflict(f"{what}の理由を入力してください。")
    return reason[:MAX_REASON]


def _current(session: Session, consultation: Consultation, shown_version: int | None) -> MaskedTranscript:
    version = latest_version(session, consultation.id)
    if version is None:
        raise ReviewConflict("まだマスキングが終わっていません。")
    if shown_version is not None and shown_version != version.number:
        raise ReviewConflict(STALE)
    return version


def _raw(rt: MaskingRuntime, consultation: Consultation) -> str:
    if consultation.raw_transcript_enc is None:
        raise WorkflowError("元の文字起こしは保存期間を過ぎたため削除されています。")
    return rt.cipher.decrypt_text(consultation.raw_transcript_enc)


def view(rt: MaskingRuntime, session: Session, consultation_id: int) -> ReviewView:
    consultation = get(session, consultation_id)
    version = _current(session, consultation, None)
    found = mask_spans.loads(version.spans)
    if consultation.raw_transcript_enc is None:  # after retention: only the masked text is left
        segments = [mask_spans.Segment(version.masked_text, 0, len(version.masked_text))]
    else:
        raw = _raw(rt, consultation)
        segments = mask_spans.segments(raw, found, mask_spans.mask(raw, found))
    return ReviewView(consultation, version, segments, len(found))


def new_version(rt: MaskingRuntime, session: Session, consultation: Consultation, previous: MaskedTranscript,
                 raw: str, found: list[mask_spans.MaskSpan], actor: str, kind: str, label: str | None,
                 reason: str | None) -> MaskedTranscript:
    masked = mask_spans.mask(raw, found)
    version = MaskedTranscript(
        consultation_id=consultation.id, number=previous.number + 1, spans=mask_spans.dumps(found),
        masked_text=masked.text, text_hash=mask_spans.text_hash(masked.text),
        mapping_enc=rt.cipher.encrypt_text(json.dumps(masked.mapping, ensure_ascii=False)),
        created_by=actor, change_kind=kind, change_label=label, change_reason=reason)
    session.add(version)
    consultation.updated_at = utcnow()
    try:
        session.flush()
    except IntegrityError as exc:  # another reviewer saved the same version number first
        raise ReviewConflict(STALE) from exc
    return version


def _editable(session: Session, consultation_id: int) -> Consultation:
    consultation = get(session, consultation_id)
    if consultation.status != S.PENDING_REVIEW:
        raise ReviewConflict("確認待ちの相談記録だけマスクを変更できます。")
    return consultation


def unmask(rt: MaskingRuntime, consultation_id: int, actor: str, shown_version: int, index: int,
           reason: str) -> int:
    """Remove one mask (a false positive). Returns the new version number."""
    reason = _reason(reason, "マスク解除")
    with rt.sessions() as session:
        consultation = _editable(session, consultation_id)
        previous = _current(session, consultation, shown_version)
        remaining, removed = mask_spans.without(mask_spans.loads(previous.spans), index)
        version = new_version(rt, session, consultation, previous, _raw(rt, consultation), remaining, actor,
                               "unmask", removed.label, reason)
        audit.record(session, actor, "masking.mask.remove", "consultation", consultation_id,
                     {"version": version.number, "label": removed.label, "origin": removed.origin,
                      "chars": removed.end - removed.start, "reason": reason})
        session.commit()
        return version.number


def add_mask(rt: MaskingRuntime, consultation_id: int, actor: str, shown_version: int, start: int, end: int,
             label: str) -> int:
    """Mask raw[start:end] (offsets of the raw transcript, as the review page sends them)."""
    with rt.sessions() as session:
        consultation = _editable(session, consultation_id)
        previous = _current(session, consultation, shown_version)
        raw = _raw(rt, consultation)
        found = mask_spans.with_added(raw, mask_spans.loads(previous.spans), start, end, label)
        version = new_version(rt, session, consultation, previous, raw, found, actor, "mask", label, None)
        audit.record(session, actor, "masking.mask.add", "consultation", consultation_id,
                     {"version": version.number, "label": label, "chars": end - start})
        session.commit()
        return version.number


def decide(rt: MaskingRuntime, consultation_id: int, actor: str, actor_name: str, shown_version: int,
           approve: bool, reason: str = "") -> ReviewDecision:
    """「生成AIへの入力を承認」 (or reject) the version the reviewer saw, by its hash."""
    if not approve:
        reason = _reason(reason, "差し戻し")
    with rt.sessions() as session:
        consultation = get(session, consultation_id)
        version = _current(session, consultation, shown_version)
        move(consultation, S.APPROVED if approve else S.REJECTED)
        consultation.notice = None
        decision = ReviewDecision(consultation_id=consultation_id, transcript_id=version.id,
                                  decision="approved" if approve else "rejected", reviewer=actor,
                                  reviewer_name=actor_name, text_hash=version.text_hash, reason=reason or None)
        session.add(decision)
        session.flush()
        audit.record(session, actor, "masking.review.approve" if approve else "masking.review.reject",
                     "consultation", consultation_id,
                     {"version": version.number, "text_hash": version.text_hash, "decision_id": decision.id,
                      **({"reason": reason} if reason else {})})
        session.commit()
        return decision


def active_approval(session: Session, consultation_id: int) -> ReviewDecision | None:
    """The latest approval that has not been revoked (by the re-scan), if any."""
    return session.scalar(select(ReviewDecision).where(
        ReviewDecision.consultation_id == consultation_id, ReviewDecision.decision == "approved",
        ReviewDecision.revoked_at.is_(None)).order_by(ReviewDecision.id.desc()).limit(1))


def decisions(session: Session, consultation_id: int) -> list[ReviewDecision]:
    return list(session.scalars(select(ReviewDecision).where(ReviewDecision.consultation_id == consultation_id)
                                .order_by(ReviewDecision.id)))


def versions(session: Session, consultation_id: int) -> list[MaskedTranscript]:
    return list(session.scalars(select(MaskedTranscript).where(MaskedTranscript.consultation_id == consultation_id)
                                .order_by(MaskedTranscript.number)))


def read_raw(rt: MaskingRuntime, consultation_id: int, actor: str, reason: str) -> str:
    """The raw transcript, for a staff member who gave a reason; the view is audited before it is shown."""
    reason = _reason(reason, "元の文字起こしを表示する")
    with rt.sessions() as session:
        consultation = get(session, consultation_id)
        text = _raw(rt, consultation)
        audit.record(session, actor, "masking.raw.view", "consultation", consultation_id, {"reason": reason})
        session.commit()
        return text


def add_mask_text(rt: MaskingRuntime, consultation_id: int, actor: str, shown_version: int, find: str,
                  label: str) -> int:
    """Mask every unmasked occurrence of ``find`` (the keyboard way to add a mask). Text already inside a
    mask is not searched, so the search cannot be used to probe what a mask hides."""
    find = find.strip()
    if not find:
        raise ReviewConflict("マスクする文字列を選択するか入力してください。")
    with rt.sessions() as session:
        consultation = _editable(session, consultation_id)
        previous = _current(session, consultation, shown_version)
        raw = _raw(rt, consultation)
        found = mask_spans.loads(previous.spans)
        hits = [i for i in _occurrences(raw, find)
                if not any(s.start < i + len(find) and i < s.end for s in found)]
        if not hits:
            raise ReviewConflict("入力した文字列はマスクされていない部分に見つかりませんでした。")
        for start in hits:
            found = mask_spans.with_added(raw, found, start, start + len(find), label)
        version = new_version(rt, session, consultation, previous, raw, found, actor, "mask", label, None)
        audit.record(session, actor, "masking.mask.add", "consultation", consultation_id,
                     {"version": version.number, "label": label, "chars": len(find), "occurrences": len(hits)})
        session.commit()
        return version.number


def _occurrences(text: str, find: str) -> list[int]:
    out, start = [], text.find(find)
    while start != -1:
        out.append(start)
        start = text.find(find, start + len(find))
    return out
