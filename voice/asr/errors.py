"""Errors of the ASR engines, translated at the boundary (``raise … from exc``).

    AsrError                 base; ``retryable`` says whether trying again may help
    ├── AsrModelMissing      the configured model directory is absent or unreadable (not retryable)
    ├── AsrUnavailable       a remote engine (vosk-server) cannot be reached (retryable)
    └── AsrFailed            the engine failed on this audio (retryable once: a fresh recognizer)
"""

from __future__ import annotations


class AsrError(RuntimeError):
    retryable: bool = False

    def __init__(self, message: str, *, retryable: bool | None = None) -> None:
        super().__init__(message)
        if retryable is not None:
            self.retryable = retryable


class AsrModelMissing(AsrError):
    retryable = False


class AsrUnavailable(AsrError):
    retryable = True


class AsrFailed(AsrError):
    retryable = True
