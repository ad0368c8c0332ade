"""Summarizer errors, translated at the boundary (``raise … from exc``).

    SummarizerError          base; ``retryable`` says whether trying again may help; ``message`` is Japanese
    ├── LlmUnavailable       the endpoint could not be reached or timed out (retryable)
    ├── LlmRejected          the endpoint refused the request: 4xx, bad key, unknown model (not retryable;
    │                        429 is retryable)
    └── LlmBadResponse       the reply was not a usable chat completion (retryable once)
"""

from __future__ import annotations


class SummarizerError(RuntimeError):
    retryable: bool = False

    def __init__(self, message: str, *, retryable: bool | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        if retryable is not None:
            self.retryable = retryable


class LlmUnavailable(SummarizerError):
    retryable = True


class LlmRejected(SummarizerError):
    retryable = False


class LlmBadResponse(SummarizerError):
    retryable = True
