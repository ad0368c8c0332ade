"""Exceptions raised by the ``routing`` package.

    RoutingError                base of everything below
    ├── DirectoryError          windows.yaml / needs.yaml cannot be used (names the file and entry)
    └── RasaError               the Rasa server failed; ``retryable`` says whether to try again
        ├── RasaUnavailableError  no answer (connection refused, timeout): retryable
        └── RasaResponseError     an HTTP error or a body we cannot read: retryable for 5xx only
"""

from __future__ import annotations


class RoutingError(Exception):
    """Base class for errors of the welfare routing."""


class DirectoryError(RoutingError):
    """The windows directory or the need map is malformed."""


class RasaError(RoutingError):
    """The Rasa server did not give a usable answer."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class RasaUnavailableError(RasaError):
    """The server did not answer (not running, refused, timed out)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=True)


class RasaResponseError(RasaError):
    """The server answered with an error status or an unreadable body."""

    def __init__(self, message: str, *, status_code: int | None) -> None:
        super().__init__(message, retryable=status_code is not None and status_code >= 500)
        self.status_code = status_code
