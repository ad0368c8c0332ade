"""Background jobs of the consultation workflow. Each takes a consultation id (never text), finds its
runtime with ``current_runtime()``, and is idempotent: the step functions check the state first.

    transcribe_consultation → mask_consultation → (staff review) → summarize_consultation
    purge_raw_data: nightly, 03:30 Tokyo time
"""

from __future__ import annotations

from core.jobs import job, periodic_job
from masking import consultations, retention, summaries
from masking.runtime import current_runtime


@job()
def transcribe_consultation(consultation_id: int) -> None:
    if consultations.run_transcription(current_runtime(), consultation_id):
        mask_consultation.enqueue(consultation_id)


@job()
def mask_consultation(consultation_id: int) -> None:
    consultations.run_masking(current_runtime(), consultation_id)


@job()
def summarize_consultation(consultation_id: int) -> None:
    summaries.run_summary(current_runtime(), consultation_id)


@periodic_job(minute="30", hour="3")
def purge_raw_data() -> None:
    retention.purge_expired(current_runtime())


STEP_JOBS = {"transcribing": transcribe_consultation, "masking": mask_consultation,
             "summarizing": summarize_consultation}
