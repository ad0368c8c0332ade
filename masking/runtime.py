"""What the masking jobs and pages share: settings, database sessions, the cipher, the audio store, and
the heavy engines (PII detector, ASR, summarizer), each built once per process on first use.

Jobs receive only a consultation id, so they find their runtime here: the web app binds its own
(``runtime_for_app``) before it enqueues — which is what an immediate queue runs with — and a worker
process builds one from ``get_settings()``.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from core.crypto import DataCipher
from core.db import make_engine, make_session_factory
from core.process_binding import ProcessBinding
from core.settings import Settings, get_settings
from masking.detection import PiiDetector, build_detector
from masking.storage import AudioStore
from masking.summarize import Summarizer
from masking.transcription import FileTranscriber

_lock = threading.RLock()
_detector: PiiDetector | None = None


def shared_detector() -> PiiDetector:
    """One detection engine per process (loading GiNZA takes seconds)."""
    global _detector
    with _lock:
        if _detector is None:
            _detector = build_detector()
        return _detector


class MaskingRuntime:
    def __init__(self, settings: Settings, sessions: sessionmaker[Session], *, detector: PiiDetector | None = None,
                 summarizer: Summarizer | None = None, transcriber: FileTranscriber | None = None) -> None:
        self.settings = settings
        self.sessions = sessions
        self.cipher = DataCipher(settings.data_key.get_secret_value())
        self.audio = AudioStore(settings.data_dir, self.cipher)
        self._detector = detector
        self._summarizer = summarizer
        self._transcriber = transcriber

    @property
    def upload_max_bytes(self) -> int:
        return self.settings.consultation_upload_max_mb * 1024 * 1024

    def detector(self) -> PiiDetector:
        if self._detector is None:
            self._detector = shared_detector()
        return self._detector

    def summarizer(self) -> Summarizer:
        with _lock:
            if self._summarizer is None:
                from masking.summarize.factory import build_summarizer

                self._summarizer = build_summarizer(self.settings)
            return self._summarizer

    def transcriber(self) -> FileTranscriber:
        with _lock:
            if self._transcriber is None:
                from masking.transcription import EngineFileTranscriber
                from voice.asr.factory import build_asr_engine

                self._transcriber = EngineFileTranscriber(build_asr_engine(self.settings))
            return self._transcriber


def _runtime_from_settings() -> MaskingRuntime:
    settings = get_settings()
    return MaskingRuntime(settings, make_session_factory(make_engine(settings.database_url)))


_binding = ProcessBinding(_runtime_from_settings)


def use_runtime(runtime: MaskingRuntime | None) -> None:
    _binding.bind(runtime)


def current_runtime() -> MaskingRuntime:
    """The bound runtime, or (in a worker) one built from the process settings."""
    return _binding.current()


def runtime_for_app(app_state: Any) -> MaskingRuntime:
    """The app's runtime (tests may put their own on ``app.state.masking``), bound for the jobs it enqueues."""
    with _lock:
        runtime: MaskingRuntime | None = getattr(app_state, "masking", None)
        if runtime is None:
            runtime = MaskingRuntime(app_state.settings, app_state.db_sessions)
            app_state.masking = runtime
        use_runtime(runtime)
        return runtime
