"""Response schemas of the JSON API, one per direction. A public schema never has a raw-text field: the
masked text is the most a response carries."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.orm import Session

from masking import consultations, summaries
from masking.models import Consultation
from masking.status import ConsultationStatus
from masking.summarize import SECTION_TITLES


class SummaryPublic(BaseModel):
    id: int
    status: str  # draft (AI生成・要確認) | confirmed
    ai_generated: bool
    generator: str
    sections: dict[str, str]
    confirmed_by: str | None
    confirmed_at: datetime | None


class ConsultationPublic(BaseModel):
    id: int
    source: str
    status: str
    status_label: str
    error_message: str | None
    notice: str | None
    created_at: datetime
    version: int | None
    masked_text: str | None
    raw_deleted: bool
    summary: SummaryPublic | None

    @classmethod
    def of(cls, session: Session, consultation: Consultation) -> ConsultationPublic:
        version = consultations.latest_version(session, consultation.id)
        summary = summaries.latest_summary(session, consultation.id)
        return cls(
            id=consultation.id, source=consultation.source, status=consultation.status,
            status_label=ConsultationStatus(consultation.status).label, error_message=consultation.error_message,
            notice=consultation.notice, created_at=consultation.created_at,
            version=version.number if version else None, masked_text=version.masked_text if version else None,
            raw_deleted=consultation.raw_deleted_at is not None,
            summary=None if summary is None else SummaryPublic(
                id=summary.id, status=summary.status, ai_generated=True, generator=summary.generator,
                sections={k: v for k, v in summaries.sections_of(summary).items() if k in SECTION_TITLES},
                confirmed_by=summary.confirmed_by, confirmed_at=summary.confirmed_at),
        )
