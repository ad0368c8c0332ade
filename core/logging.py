"""Structured JSON logs that cannot carry residents' words.

Logs leave the application (journald, a log shipper, a vendor's support ticket), so they must never
hold transcript, chat or consultation text. Two guards:

* ``scrub_text_fields`` drops any value logged under a key that usually carries free text (``text``,
  ``transcript``, ``body`` …) and notes which keys were dropped, so the mistake is visible in review
  without the content.
* Request logs carry the route template (``/console/users/{user_id}``), never the raw path or the
  query string, which may contain data a resident typed.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog

# Keys whose values are free text by convention. Matching is on the key name, case-insensitive, and
# also catches suffixes such as ``masked_text`` or ``raw_transcript``.
TEXT_BEARING_KEYS = frozenset({
    "text", "transcript", "message_text", "speech", "speech_result", "utterance", "body", "content",
    "chat", "query", "question", "answer", "summary", "password", "form", "payload", "prompt",
    "completion", "sentence", "comment", "note", "notes", "address", "name", "phone",
})
TEXT_BEARING_SUFFIXES = ("_text", "_transcript", "_body", "_content", "_password", "_speech", "_summary")

_configured = False


def _is_text_bearing(key: str) -> bool:
    lowered = key.lower()
    return lowered in TEXT_BEARING_KEYS or lowered.endswith(TEXT_BEARING_SUFFIXES)


def scrub_text_fields(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    dropped = sorted(key for key in event_dict if key != "event" and _is_text_bearing(key))
    for key in dropped:
        del event_dict[key]
    if dropped:
        event_dict["dropped_text_fields"] = dropped
    return event_dict


def _shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        scrub_text_fields,
    ]


def json_handler(stream: TextIO) -> logging.Handler:
    """A stdlib handler that writes one JSON object per line (also used by tests to capture logs)."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
    ))
    return handler


def configure_logging(level: str = "INFO", stream: TextIO | None = None) -> None:
    """Route structlog and stdlib logging (uvicorn, SQLAlchemy …) through one JSON formatter.

    Idempotent: the app factory calls it, and tests may call it again with their own stream.
    """
    global _configured
    if not _configured:
        structlog.configure(
            processors=[*_shared_processors(), structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
            logger_factory=structlog.stdlib.LoggerFactory(),
            wrapper_class=structlog.stdlib.BoundLogger,
            cache_logger_on_first_use=True,
        )
        _configured = True
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_madoguchi", False):
            root.removeHandler(handler)
    handler = json_handler(stream or sys.stderr)
    handler._madoguchi = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    # uvicorn's access log prints raw paths with query strings; our request middleware logs instead.
    logging.getLogger("uvicorn.access").disabled = True
    # HTTP clients log every URL at INFO, query strings included.
    for name in ("httpx", "httpx2", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)
