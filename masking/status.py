"""A consultation's life, as an explicit state machine (an illegal transition raises).

    transcribing ─→ masking ─→ pending_review ─→ approved ─→ summarizing ─→ summarized ─→ confirmed
         │             │            │  ↑                        │    │
         ↓             ↓            ↓  └──── blocked by the re-scan ┘    ↓
  transcription_failed masking_failed rejected                   summary_failed

A text consultation starts at ``masking``; an audio one at ``transcribing``. Failed states carry a
Japanese message for staff and can be retried.
"""

from __future__ import annotations

import enum

from masking.errors import IllegalTransition


class ConsultationStatus(enum.StrEnum):
    TRANSCRIBING = "transcribing"
    TRANSCRIPTION_FAILED = "transcription_failed"
    MASKING = "masking"
    MASKING_FAILED = "masking_failed"
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUMMARIZING = "summarizing"
    SUMMARY_FAILED = "summary_failed"
    SUMMARIZED = "summarized"
    CONFIRMED = "confirmed"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def failed(self) -> bool:
        return self in FAILED


S = ConsultationStatus
STATUS_LABELS = {
    S.TRANSCRIBING: "文字起こし中",
    S.TRANSCRIPTION_FAILED: "文字起こし失敗",
    S.MASKING: "マスキング中",
    S.MASKING_FAILED: "マスキング失敗",
    S.PENDING_REVIEW: "確認待ち",
    S.APPROVED: "承認済み（要約待ち）",
    S.REJECTED: "差し戻し（AI入力不可）",
    S.SUMMARIZING: "要約中",
    S.SUMMARY_FAILED: "要約失敗",
    S.SUMMARIZED: "要約の確認待ち",
    S.CONFIRMED: "確定済み",
}
FAILED = frozenset({S.TRANSCRIPTION_FAILED, S.MASKING_FAILED, S.SUMMARY_FAILED})

TRANSITIONS: dict[ConsultationStatus, frozenset[ConsultationStatus]] = {
    S.TRANSCRIBING: frozenset({S.MASKING, S.TRANSCRIPTION_FAILED}),
    S.TRANSCRIPTION_FAILED: frozenset({S.TRANSCRIBING}),
    S.MASKING: frozenset({S.PENDING_REVIEW, S.MASKING_FAILED}),
    S.MASKING_FAILED: frozenset({S.MASKING}),
    S.PENDING_REVIEW: frozenset({S.APPROVED, S.REJECTED}),
    S.APPROVED: frozenset({S.SUMMARIZING, S.PENDING_REVIEW}),
    S.REJECTED: frozenset(),
    # back to review: the re-scan found a high-risk identifier in the approved text
    S.SUMMARIZING: frozenset({S.SUMMARIZED, S.SUMMARY_FAILED, S.PENDING_REVIEW}),
    S.SUMMARY_FAILED: frozenset({S.SUMMARIZING, S.PENDING_REVIEW}),
    S.SUMMARIZED: frozenset({S.CONFIRMED}),
    S.CONFIRMED: frozenset(),
}


def check_transition(current: str, target: ConsultationStatus) -> ConsultationStatus:
    """The target state, or IllegalTransition when ``current`` may not move there."""
    try:
        state = ConsultationStatus(current)
    except ValueError as exc:
        raise IllegalTransition(f"unknown state {current!r}") from exc
    if target not in TRANSITIONS[state]:
        raise IllegalTransition(f"{state.value} -> {target.value} is not allowed")
    return target
