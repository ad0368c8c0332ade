"""Errors of the masking workflow (the detection library and the summarizers have their own).

    WorkflowError              base; ``message`` is Japanese and safe to show to staff (no personal data)
    ├── IllegalTransition      a consultation was asked to move to a state it cannot reach from here
    ├── NotFound               no such consultation / version / summary / report
    ├── UploadRejected         an uploaded audio or transcript file was refused (format, size, empty)
    ├── ReviewConflict         the page showed an older version than the current one, or a bad span
    └── SummaryRefused         summarization asked for a text that was not approved (or no longer is)

Summarizer errors: ``masking.summarize.errors``.
"""

from __future__ import annotations


class WorkflowError(RuntimeError):
    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class IllegalTransition(WorkflowError):
    status_code = 409

    def __init__(self, detail: str) -> None:
        super().__init__("この相談記録は現在の状態ではその操作ができません。画面を再読み込みしてください。")
        self.detail = detail


class NotFound(WorkflowError):
    status_code = 404


class UploadRejected(WorkflowError):
    status_code = 400


class ReviewConflict(WorkflowError):
    status_code = 409


class SummaryRefused(WorkflowError):
    status_code = 409
