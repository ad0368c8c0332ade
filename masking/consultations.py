"""Creating consultations and the first two steps of their life: transcribe, detect + mask.

Every function takes explicit collaborators (a session factory, the cipher, a detector…), commits its
own unit of work, and writes an audit entry for what staff did. Steps run by jobs are idempotent: they
check the state first and do nothing when the step already happened.
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import audit
from core.clock import utcnow
from masking import spans as mask_spans
from masking.audio import decode_pcm16, inspect_audio
from masking.errors import IllegalTransition, NotFound, UploadRejected
from masking.models import Consultation, MaskedTranscript
from masking.runtime import MaskingRuntime
from masking.status import ConsultationStatus as S
from masking.status import check_transition

log = logging.getLogger("madoguchi.masking")
SYSTEM = "system"
TEXT_SUFFIXES = (".txt", ".text")
TRANSCRIPTION_FAILED = ("文字起こしに失敗しました。音声ファイルを確認するか、「再実行」を押してください。"
                        "繰り返し失敗する場合は文字起こしを貼り付けて登録してください。")
ASR_MISSING = "音声認識モデルが見つかりません。管理者に連絡してください（madoguchi models）。"
MASKING_FAILED = "個人情報の検出に失敗しました。「再実行」を押してください。"
EMPTY_TRANSCRIPT = "文字起こしが空でした（無音か、聞き取れる発話がありません）。"


def move(consultation: Consultation, target: S, *, error: str | None = None) -> None:
    consultation.status = check_transition(consultation.status, target).value
    consultation.error_message = error
    consultation.updated_at = utcnow()


def get(session: Session, consultation_id: int) -> Consultation:
    consultation = session.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound("相談記録が見つかりません。")
    return consultation


def latest_version(session: Session, consultation_id: int) -> MaskedTranscript | None:
    return session.scalar(select(MaskedTranscript).where(MaskedTranscript.consultation_id == consultation_id)
                          .order_by(MaskedTranscript.number.desc()).limit(1))


def decode_transcript_upload(data: bytes, filename: str, max_bytes: int) -> str:
    if len(data) > max_bytes:
        raise UploadRejected(f"ファイルが大きすぎます（上限 {max_bytes // (1024 * 1024)} MB）。")
    if not filename.lower().endswith(TEXT_SUFFIXES):
        raise UploadRejected("文字起こしファイルはテキスト形式（.txt, UTF-8）で選んでください。")
    for encoding in ("utf-8-sig", "cp932"):  # Windows notepad may still save Shift_JIS
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UploadRejected("文字コードを読み取れませんでした。UTF-8 で保存したテキストファイルを選んでください。")


def create_from_text(rt: MaskingRuntime, actor: str, text: str, *, source: str = "text",
                     detail: dict[str, int] | None = None) -> int:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise UploadRejected("文字起こしが空です。相談の文字起こしを貼り付けるか、ファイルを選んでください。")
    if len(text.encode("utf-8")) > rt.upload_max_bytes:
        raise UploadRejected("文字起こしが長すぎます。分割して登録してください。")
    with rt.sessions() as session:
        consultation = Consultation(source=source, status=S.MASKING.value, created_by=actor,
                                    raw_transcript_enc=rt.cipher.encrypt_text(text), raw_chars=len(text))
        session.add(consultation)
        session.flush()
        audit.record(session, actor, "masking.consultation.create", "consultation", consultation.id,
                     {"source": source, "chars": len(text), **(detail or {})})
        session.commit()
        return consultation.id


def create_from_call(rt: MaskingRuntime, actor: str, call_id: int) -> int:
    """A consultation from a call the voice line recorded: the caller's recognized speech, one line per turn."""
    from voice.models import Call, Turn

    with rt.sessions() as session:
        if session.get(Call, call_id) is None:
            raise NotFound("指定された通話記録が見つかりません。通話記録の番号を確認してください。")
        texts = [rt.cipher.decrypt_text(token) for token in session.scalars(
            select(Turn.text_enc).where(Turn.call_id == call_id, Turn.text_enc.is_not(None)).order_by(Turn.seq))
            if token]
    if not texts:
        raise UploadRejected("この通話には発話の記録がありません。")
    return create_from_text(rt, actor, "\n".join(f"相談者：{text}" for text in texts), source="call",
                            detail={"call_id": call_id})


def create_from_audio(rt: MaskingRuntime, actor: str, filename: str, data: bytes) -> int:
    """Checks the file first; a refused file saves nothing (no row, no file)."""
    info = inspect_audio(data, filename, rt.upload_max_bytes)
    relative = rt.audio.save(data)
    try:
        with rt.sessions() as session:
            consultation = Consultation(source="audio", status=S.TRANSCRIBING.value, created_by=actor,
                                        audio_file=relative, audio_format=info.format, audio_bytes=len(data))
            session.add(consultation)
            session.flush()
            audit.record(session, actor, "masking.consultation.create", "consultation", consultation.id,
                         {"source": "audio", "format": info.format, "bytes": len(data)})
            session.commit()
            return consultation.id
    except BaseException:
        rt.audio.delete(relative)  # the row was not written: do not leave an orphaned recording
        raise


def run_transcription(rt: MaskingRuntime, consultation_id: int) -> bool:
    """Audio → encrypted raw transcript, then ``masking``. True when the consultation moved on."""
    from voice.asr.errors import AsrModelMissing

    with rt.sessions() as session:
        consultation = get(session, consultation_id)
        if consultation.status != S.TRANSCRIBING or consultation.audio_file is None:
            return consultation.status == S.MASKING  # done already (a re-run), or not ours to do
        audio_file = consultation.audio_file
    try:
        transcriber = rt.transcriber()
        text = transcriber.transcribe(decode_pcm16(rt.audio.load(audio_file), transcriber.sample_rate))
        error = None if text.strip() else EMPTY_TRANSCRIPT
    except AsrModelMissing:
        log.error("masking transcription failed consultation=%s error=AsrModelMissing", consultation_id)
        text, error = "", ASR_MISSING
    except Exception as exc:  # decoder, ASR engine, cipher: any failure is a failed step
        log.error("masking transcription failed consultation=%s error=%s", consultation_id, type(exc).__name__)
        text, error = "", TRANSCRIPTION_FAILED
    with rt.sessions() as session:
        consultation = get(session, consultation_id)
        if consultation.status != S.TRANSCRIBING:
            return False
        if error:
            move(consultation, S.TRANSCRIPTION_FAILED, error=error)
            audit.record(session, SYSTEM, "masking.transcription.failed", "consultation", consultation_id, {})
        else:
            consultation.raw_transcript_enc = rt.cipher.encrypt_text(text)
            consultation.raw_chars = len(text)
            move(consultation, S.MASKING)
            audit.record(session, SYSTEM, "masking.transcription.done", "consultation", consultation_id,
                         {"chars": len(text)})
        session.commit()
        return error is None


def run_masking(rt: MaskingRuntime, consultation_id: int) -> bool:
    """Detect PII in the raw transcript and store version 1, then ``pending_review``."""
    with rt.sessions() as session:
        consultation = get(session, consultation_id)
        if consultation.status != S.MASKING:
            return False
        if consultation.raw_transcript_enc is None:
            move(consultation, S.MASKING_FAILED, error="元の文字起こしが保存期間を過ぎて削除されています。")
            session.commit()
            return False
        raw = rt.cipher.decrypt_text(consultation.raw_transcript_enc)
    try:
        found = mask_spans.from_detected(rt.detector().detect(raw))
    except Exception as exc:  # the detector is a library of many parts; any failure is "retry later"
        log.error("masking detection failed consultation=%s error=%s", consultation_id, type(exc).__name__)
        with rt.sessions() as session:
            consultation = get(session, consultation_id)
            if consultation.status == S.MASKING:
                move(consultation, S.MASKING_FAILED, error=MASKING_FAILED)
                session.commit()
        return False
    masked = mask_spans.mask(raw, found)
    with rt.sessions() as session:
        consultation = get(session, consultation_id)
        if consultation.status != S.MASKING:
            return False
        if latest_version(session, consultation_id) is None:
            session.add(MaskedTranscript(
                consultation_id=consultation_id, number=1, spans=mask_spans.dumps(found),
                masked_text=masked.text, text_hash=mask_spans.text_hash(masked.text),
                mapping_enc=rt.cipher.encrypt_text(_json(masked.mapping)), created_by=SYSTEM, change_kind="detect"))
        move(consultation, S.PENDING_REVIEW)
        labels: dict[str, int] = {}
        for span in found:
            labels[span.label] = labels.get(span.label, 0) + 1
        audit.record(session, SYSTEM, "masking.masked", "consultation", consultation_id,
                     {"version": 1, "masks": len(found), "labels": labels})
        session.commit()
    return True


def retry(rt: MaskingRuntime, consultation_id: int, actor: str) -> S:
    """A failed step goes back to where it failed; returns the state to run again."""
    with rt.sessions() as session:
        consultation = get(session, consultation_id)
        target = {S.TRANSCRIPTION_FAILED: S.TRANSCRIBING, S.MASKING_FAILED: S.MASKING,
                  S.SUMMARY_FAILED: S.SUMMARIZING}.get(S(consultation.status))
        if target is None:
            raise IllegalTransition(f"retry from {consultation.status}")
        move(consultation, target)
        audit.record(session, actor, "masking.retry", "consultation", consultation_id, {"step": target.value})
        session.commit()
        return target


def counts_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Consultation.status, func.count()).group_by(Consultation.status)).all()
    return {status: int(count) for status, count in rows}


def _json(mapping: dict[str, str]) -> str:
    import json

    return json.dumps(mapping, ensure_ascii=False)
