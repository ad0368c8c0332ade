"""Background jobs of the voice bot. Each takes a CallSid (never text) and is idempotent.

    mask_call: after a call ends or is handed to staff, mask its stored speech for display
    purge_voice_raw: nightly, 03:40 Tokyo time, delete raw call text past the retention period
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from core.crypto import DataCipher
from core.db import make_engine, make_session_factory
from core.jobs import job, periodic_job
from core.settings import get_settings
from voice import transcripts
from voice.calls import Handled
from voice.flow_states import CallState

log = logging.getLogger(__name__)


@dataclass
class JobContext:
    sessions: sessionmaker[Session]
    cipher: DataCipher
    retention_days: int
    masker: transcripts.Masker | None = None

    def pii_masker(self) -> transcripts.Masker:
        if self.masker is None:
            self.masker = transcripts.pii_masker()
        return self.masker


_lock = threading.Lock()
_bound: JobContext | None = None


def bind(context: JobContext | None) -> None:
    """The app binds its database here (so `immediate` jobs use it); a worker builds one from Settings."""
    global _bound
    with _lock:
        _bound = context


def current() -> JobContext:
    global _bound
    with _lock:
        if _bound is None:
            settings = get_settings()
            _bound = JobContext(make_session_factory(make_engine(settings.database_url)),
                                DataCipher(settings.data_key.get_secret_value()), settings.raw_retention_days)
        return _bound


@job(retries=2, retry_delay=10.0)
def mask_call(call_sid: str) -> None:
    ctx = current()
    transcripts.mask_call(ctx.sessions, ctx.cipher, ctx.pii_masker(), call_sid)


@periodic_job(minute="40", hour="3")
def purge_voice_raw() -> None:
    ctx = current()
    transcripts.purge_expired(ctx.sessions, ctx.cipher, ctx.retention_days)


def mask_when_bot_is_done(handled: Handled) -> None:
    """Once the bot is done with a call (ended or handed to staff), queue masking of its text.

    Every speech path (gather webhooks, Media Streams, the console softphone) calls this after each event.
    """
    if handled.replayed or handled.state not in (CallState.ENDED, CallState.TRANSFERRING):
        return
    try:
        mask_call.enqueue(handled.call_sid)
    except Exception as exc:  # the call must go on; the nightly purge still protects the raw text
        log.warning("voice mask job not queued call=%s: %s", handled.call_sid, type(exc).__name__)
