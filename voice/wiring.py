"""Builds the voice pieces from Settings, once per app (the FAQ matcher is loaded here)."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from core.crypto import DataCipher
from core.settings import PROJECT_ROOT, Settings
from voice import jobs as voice_jobs
from voice.answerer import Answerer, FaqLibraryAnswerer
from voice.calls import CallService, Masker
from voice.config import VoiceConfig, load_voice_config
from voice.flow import CallFlow
from voice.office_hours import OfficeHours
from voice.twiml import TwimlRenderer, WebhookUrls

_lock = threading.Lock()


class VoiceRuntime:
    """What the webhooks (and the stream path) share: config, the call service, the TwiML renderer."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], answerer: Answerer | None = None,
                 config: VoiceConfig | None = None, masker: Masker | None = None,
                 after_call_masker: Masker | None = None) -> None:
        """`masker` masks text as it is stored (synchronous, not used by default: it would slow every turn);
        `after_call_masker` replaces masking/'s detector in the after-call job (None: the real detector)."""
        self.settings = settings
        path = settings.voice_config_path
        self.config = config or load_voice_config(path if path.is_absolute() else PROJECT_ROOT / path)
        self.answerer = answerer or FaqLibraryAnswerer.from_path(settings.faq_kb_path,
                                                                 check_seconds=settings.faq_kb_check_seconds)
        self.hours = OfficeHours(settings.office_hours)
        self.flow = CallFlow(self.answerer, self.config.flow_config(settings.recording_enabled), self.hours)
        self.cipher = DataCipher(settings.data_key.get_secret_value())
        self.service = CallService(self.flow, sessions, self.cipher, masker=masker)
        self.urls = WebhookUrls(settings.public_base_url)
        voice_jobs.bind(voice_jobs.JobContext(sessions, self.cipher, settings.raw_retention_days,
                                              masker=after_call_masker,
                                              recording_store=voice_jobs.twilio_recordings(settings)))
        self.twiml = TwimlRenderer(self.urls, tts_voice=self.config.tts_voice)

    def reload_faq(self, kb: Any) -> bool:
        """Use an edited knowledge base in new turns; False when the answerer cannot reload (a test fake)."""
        reload = getattr(self.answerer, "reload", None)
        if reload is None:
            return False
        reload(kb)
        return True


def voice_runtime(app_state: Any) -> VoiceRuntime:
    """The app's VoiceRuntime, built on first use (tests may put their own on app.state.voice)."""
    runtime: VoiceRuntime | None = getattr(app_state, "voice", None)
    if runtime is None:
        with _lock:
            runtime = getattr(app_state, "voice", None)
            if runtime is None:
                runtime = VoiceRuntime(app_state.settings, app_state.db_sessions)
                app_state.voice = runtime
    return runtime
