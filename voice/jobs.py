"""Background jobs of the voice bot. Each takes a CallSid (never text) and is idempotent.

    mask_call: after a call ends or is handed to staff, mask its stored speech for display
    fetch_recording: a finished call recording: download from Twilio, store for masking/, delete at Twilio
    purge_voice_raw: nightly, 03:40 Tokyo time, delete raw call text past the retention period
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from core.crypto import DataCipher
from core.db import make_engine, make_session_factory
from core.jobs import job, periodic_job
from core.process_binding import ProcessBinding
from core.settings import Settings, get_settings
from voice import transcripts
from voice.calls import Handled
from voice.flow_states import CallState
from voice.twilio_rest import RecordingStore, TwilioRecordings

log = logging.getLogger(__name__)


@dataclass
class JobContext:
    sessions: sessionmaker[Session]
    cipher: DataCipher
    retention_days: int
    masker: transcripts.Masker | None = None
    recording_store: RecordingStore | None = None  # None: recordings are not fetched (no Twilio account)

    def pii_masker(self) -> transcripts.Masker:
        if self.masker is None:
            self.masker = transcripts.pii_masker()
        return self.masker


def _context_from_settings() -> JobContext:
    settings = get_settings()
    return JobContext(make_session_factory(make_engine(settings.database_url)),
                      DataCipher(settings.data_key.get_secret_value()), settings.raw_retention_days,
                      recording_store=twilio_recordings(settings))


_binding = ProcessBinding(_context_from_settings)


def bind(context: JobContext | None) -> None:
    """The app binds its database here (so `immediate` jobs use it); a worker builds one from Settings."""
    _binding.bind(context)


def current() -> JobContext:
    return _binding.current()


def twilio_recordings(settings: Settings) -> TwilioRecordings:
    return TwilioRecordings(api_base=settings.twilio_api_base, account_sid=settings.twilio_account_sid,
                            auth_token=settings.twilio_auth_token.get_secret_value())


@job(retries=2, retry_delay=10.0)
def mask_call(call_sid: str) -> None:
    ctx = current()
    transcripts.mask_call(ctx.sessions, ctx.cipher, ctx.pii_masker(), call_sid)


# Retries back off from 30 s to about 16 min (Twilio down for a while); the recording waits at Twilio.
@job(retries=6, retry_delay=30.0, retry_backoff=2.0)
def fetch_recording(recording_sid: str, call_sid: str) -> None:
    # masking/ loads its detection engine's libraries on import (seconds): only when a recording comes in
    from masking.jobs import transcribe_consultation
    from masking.runtime import current_runtime as current_masking_runtime
    from voice import recordings

    store = current().recording_store
    if store is None:
        raise RuntimeError("no Twilio recording client is configured for voice jobs")
    recordings.bring_home(store, current_masking_runtime(), recording_sid, call_sid,
                          transcribe=transcribe_consultation.enqueue)


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
