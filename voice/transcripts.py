"""What happens to call text after the call: masking (for display) and deleting the raw text.

- `mask_call`: fills the `*_masked` columns of a call's turns and handoffs with masking/'s detector
  (idempotent: already-masked rows are skipped). Staff pages show the masked text once it exists.
- `purge_expired`: `raw_retention_days` after a call started, its encrypted raw speech, caller and
  callback numbers, stored replies and flow context are deleted; masked text and numbers stay.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from core import audit
from core.clock import utcnow
from core.crypto import DataCipher
from voice.flow import CallContext
from voice.models import Call, Handoff, Turn

log = logging.getLogger("madoguchi.voice")
Masker = Callable[[str], str]
BATCH = 200


def pii_masker() -> Masker:
    """masking/'s Japanese PII detector + anonymizer (one engine per process; loading takes seconds)."""
    from masking.anonymize import anonymize
    from masking.runtime import shared_detector

    detector = shared_detector()

    def mask(text: str) -> str:
        return anonymize(text, detector.detect(text)).text

    return mask


def mask_call(sessions: sessionmaker[Session], cipher: DataCipher, masker: Masker, call_sid: str) -> int:
    """Mask the call's stored speech; returns how many texts were masked now."""
    done = 0
    with sessions() as s:
        call = s.scalar(select(Call).where(Call.call_sid == call_sid))
        if call is None:
            return 0
        for turn in s.scalars(select(Turn).where(Turn.call_id == call.id, Turn.text_enc.is_not(None),
                                                 Turn.text_masked.is_(None))):
            assert turn.text_enc is not None
            turn.text_masked = masker(cipher.decrypt_text(turn.text_enc))
            done += 1
        for handoff in s.scalars(select(Handoff).where(Handoff.call_id == call.id)):
            if handoff.question_enc is not None and handoff.question_masked is None:
                handoff.question_masked = masker(cipher.decrypt_text(handoff.question_enc))
                done += 1
            if handoff.transcript_enc is not None and handoff.transcript_masked is None:
                said = json.loads(cipher.decrypt_text(handoff.transcript_enc))
                handoff.transcript_masked = json.dumps([masker(x) for x in said], ensure_ascii=False)
                done += 1
        s.commit()
    return done


def purge_expired(sessions: sessionmaker[Session], cipher: DataCipher, retention_days: int,
                  now: datetime | None = None) -> list[int]:
    """Delete raw call text older than the retention period; returns the call ids purged (idempotent)."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    empty_actions = cipher.encrypt_text("[]")
    purged: list[int] = []
    while True:
        with sessions() as s:
            batch = list(s.scalars(select(Call).where(Call.started_at < cutoff, Call.raw_deleted_at.is_(None))
                                   .order_by(Call.id).limit(BATCH)))
            if not batch:
                break
            ids = [c.id for c in batch]
            for call in batch:
                ctx = CallContext.from_json(cipher.decrypt_text(call.context_enc))
                ctx.last_question, ctx.callback_number, ctx.repeat = None, None, []
                call.context_enc = cipher.encrypt_text(ctx.to_json())
                call.caller_enc = None
                call.raw_deleted_at = utcnow()
            s.execute(update(Turn).where(Turn.call_id.in_(ids)).values(text_enc=None, actions_enc=empty_actions))
            s.execute(update(Handoff).where(Handoff.call_id.in_(ids))
                      .values(question_enc=None, transcript_enc=None, callback_number_enc=None))
            audit.record(s, "system", "voice.raw.purge", "voice_call", ids[0] if len(ids) == 1 else "batch",
                         {"call_ids": ids, "retention_days": retention_days})
            s.commit()
            purged.extend(ids)
    if purged:
        log.info("voice raw data purged calls=%d", len(purged))
    return purged
