"""Call recordings: bring the audio home from Twilio, hand it to the masking workflow, delete it at Twilio.

When MADOGUCHI_RECORDING_ENABLED, Twilio records the call in its cloud and posts the recording status
callback; the webhook queues ``voice.jobs.fetch_recording`` with the RecordingSid, which runs
``bring_home``:

1. done already (an audited delete for this RecordingSid)? nothing to do — a replayed callback ends here;
2. no consultation for this recording yet: download the WAV (size-limited), store it through masking's
   audio-consultation path (encrypted file, ``transcribing``; the transcription job is queued, then
   masking and staff review as for an uploaded recording); audited ``voice.recording.store``;
3. only then DELETE it at Twilio (404 = already gone); audited ``voice.recording.delete``.

A failure raises and the job system retries: a failed download deletes nothing, a failed delete keeps
the encrypted copy and tries the delete again. Logs and audit entries name the RecordingSid and record
ids only.

The consultation is found again by its ``created_by`` (``voice-recording:<RecordingSid>``, written in the
same transaction as the consultation, so a retry never makes a second one). masking's tables have no
column for the call; the call is found through ``voice_calls.recording_sid``, and the store audit entry
names both the call and the consultation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core import audit
from core.audit import AuditEntry
from core.db import session_scope
from masking import consultations
from masking.models import Consultation
from masking.runtime import MaskingRuntime
from masking.status import ConsultationStatus
from voice.models import Call
from voice.twilio_rest import RecordingStore, TwilioApiError

log = logging.getLogger("madoguchi.voice")
ACTOR_PREFIX = "voice-recording:"
STORED = "voice.recording.store"
DELETED = "voice.recording.delete"
TARGET = "voice_recording"


@dataclass(frozen=True)
class RecordingOutcome:
    consultation_id: int | None
    downloaded: bool  # this run fetched the audio (False: it was stored by an earlier run, or done)
    deleted_at_twilio: bool  # Twilio answered 204 in this run (False: already gone, or done earlier)


def actor_for(recording_sid: str) -> str:
    return ACTOR_PREFIX + recording_sid


def is_done(sessions: sessionmaker[Session], recording_sid: str) -> bool:
    with session_scope(sessions) as s:
        return s.scalar(select(AuditEntry.seq).where(
            AuditEntry.action == DELETED, AuditEntry.target_type == TARGET,
            AuditEntry.target_id == recording_sid).limit(1)) is not None


def stored_consultation(rt: MaskingRuntime, recording_sid: str) -> tuple[int, str] | None:
    with rt.sessions() as s:
        row = s.execute(select(Consultation.id, Consultation.status)
                        .where(Consultation.created_by == actor_for(recording_sid))
                        .order_by(Consultation.id).limit(1)).first()
        return (row[0], row[1]) if row else None


def bring_home(store: RecordingStore, rt: MaskingRuntime, recording_sid: str, call_sid: str,
               transcribe: Callable[[int], object]) -> RecordingOutcome:
    """Steps 1–3 above; idempotent per RecordingSid. ``transcribe(consultation_id)`` queues the transcription
    of a consultation still waiting for it (again on a retry: that job is idempotent too). Raises
    TwilioApiError (or masking's UploadRejected for audio it refuses); nothing is deleted at Twilio before
    the encrypted copy is committed."""
    if is_done(rt.sessions, recording_sid):
        return RecordingOutcome(None, downloaded=False, deleted_at_twilio=False)
    found = stored_consultation(rt, recording_sid)
    downloaded = found is None
    if found is None:
        try:
            data = store.download(recording_sid, rt.upload_max_bytes)
        except TwilioApiError as exc:
            log.warning("voice recording download failed recording=%s: %s (retryable=%s)",
                        recording_sid, exc, exc.retryable)
            raise
        consultation_id = consultations.create_from_audio(rt, actor_for(recording_sid), f"{recording_sid}.wav",
                                                          data)
        with session_scope(rt.sessions) as s:
            call_id = s.scalar(select(Call.id).where(Call.call_sid == call_sid))
            audit.record(s, "system", STORED, TARGET, recording_sid,
                         {"call_id": call_id, "consultation_id": consultation_id, "bytes": len(data)})
        log.info("voice recording stored recording=%s consultation=%s", recording_sid, consultation_id)
        status = ConsultationStatus.TRANSCRIBING.value
    else:
        consultation_id, status = found
    if status == ConsultationStatus.TRANSCRIBING.value:
        transcribe(consultation_id)
    try:
        deleted = store.delete(recording_sid)
    except TwilioApiError as exc:
        log.warning("voice recording delete at Twilio failed recording=%s: %s (retryable=%s)",
                    recording_sid, exc, exc.retryable)
        raise
    with session_scope(rt.sessions) as s:
        audit.record(s, "system", DELETED, TARGET, recording_sid,
                     {"consultation_id": consultation_id, "already_gone": not deleted})
    log.info("voice recording deleted at Twilio recording=%s already_gone=%s", recording_sid, not deleted)
    return RecordingOutcome(consultation_id, downloaded=downloaded, deleted_at_twilio=deleted)
