"""Raw data retention: raw audio, raw transcripts and placeholder mappings are deleted
``raw_retention_days`` after a consultation was created. Masked versions, approvals and summaries stay.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update

from core import audit
from core.clock import utcnow
from masking.models import Consultation, MaskedTranscript
from masking.runtime import MaskingRuntime

log = logging.getLogger("madoguchi.masking")
BATCH = 200


def purge_expired(rt: MaskingRuntime, now: datetime | None = None) -> list[int]:
    """Delete expired raw data; returns the consultation ids purged (idempotent: purged rows are skipped)."""
    cutoff = (now or utcnow()) - timedelta(days=rt.settings.raw_retention_days)
    purged: list[int] = []
    while True:
        with rt.sessions() as session:
            batch = list(session.scalars(
                select(Consultation).where(Consultation.created_at < cutoff, Consultation.raw_deleted_at.is_(None))
                .order_by(Consultation.id).limit(BATCH)))
            if not batch:
                break
            files = 0
            for consultation in batch:
                if consultation.audio_file and rt.audio.delete(consultation.audio_file):
                    files += 1
                consultation.audio_file = None
                consultation.raw_transcript_enc = None
                consultation.raw_deleted_at = utcnow()
            ids = [c.id for c in batch]
            session.execute(update(MaskedTranscript).where(MaskedTranscript.consultation_id.in_(ids))
                            .values(mapping_enc=None))
            audit.record(session, "system", "masking.raw.purge", "consultation", ids[0] if len(ids) == 1 else "batch",
                         {"consultation_ids": ids, "audio_files": files,
                          "retention_days": rt.settings.raw_retention_days})
            session.commit()
            purged.extend(ids)
    if purged:
        log.info("masking raw data purged consultations=%d", len(purged))
    return purged
