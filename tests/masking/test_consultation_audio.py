"""Audio consultations: every accepted container decodes to PCM for ASR, and a spoken consultation (Japanese
TTS, offline) goes upload → encrypted file → real faster-whisper transcription → real detection → review."""

from __future__ import annotations

import io
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.db import make_engine, make_session_factory
from core.jobs import configure_queue, reset_queue
from core.migrate import upgrade
from masking import consultations
from masking.audio import decode_pcm16, inspect_audio
from masking.errors import UploadRejected
from masking.jobs import transcribe_consultation
from masking.runtime import MaskingRuntime, use_runtime
from masking.transcription import EngineFileTranscriber
from tests.masking.workflow_support import make_runtime, settings_for
from tests.voice.asr_support import whisper_model_dir

MB = 1024 * 1024


def encode(samples: np.ndarray, rate: int, container: str, codec: str) -> bytes:
    """A real file in ``container`` (PyAV ships FFmpeg's encoders)."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container) as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")  # type: ignore[call-overload]
        frame_format = "fltp" if codec in ("aac", "libmp3lame") else "s16"
        data = samples.astype(np.float32) / 32768.0 if frame_format == "fltp" else samples.astype("<i2")
        step = 1024
        for i in range(0, len(samples), step):
            chunk = data[i : i + step]
            frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format=frame_format, layout="mono")
            frame.sample_rate = rate
            frame.pts = i
            frame.time_base = Fraction(1, rate)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def tone(seconds: float = 1.0, rate: int = 22050) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (np.sin(2 * np.pi * 330 * t) * 9000).astype("<i2")


@pytest.mark.parametrize(("name", "container", "codec", "expected"), [
    ("call.wav", "wav", "pcm_s16le", "wav"),
    ("call.flac", "flac", "flac", "flac"),
    ("call.mp3", "mp3", "libmp3lame", "mp3"),
    ("call.m4a", "ipod", "aac", "m4a"),
])
def test_each_accepted_format_is_recognized_and_decodes(name: str, container: str, codec: str,
                                                        expected: str) -> None:
    data = encode(tone(), 22050, container, codec)
    assert inspect_audio(data, name, 10 * MB).format == expected
    pcm = decode_pcm16(data, 16000)
    seconds = len(pcm) / 2 / 16000
    assert 0.9 < seconds < 1.2  # resampled to 16 kHz mono, encoder padding aside


def test_a_renamed_or_truncated_file_is_refused() -> None:
    wav = encode(tone(), 22050, "wav", "pcm_s16le")
    with pytest.raises(UploadRejected):
        inspect_audio(wav[:40], "call.wav", 10 * MB)  # a header with no audio after it
    with pytest.raises(UploadRejected):
        inspect_audio("相談記録".encode() * 100, "call.mp3", 10 * MB)


@pytest.fixture
def whisper_runtime(tmp_path: Path) -> Iterator[MaskingRuntime]:
    whisper_dir = whisper_model_dir()  # assembled from the PyPI packages like the voice tests do
    url = f"sqlite:///{tmp_path / 'audio.db'}"
    upgrade(url)
    settings = settings_for(tmp_path, url, asr_engine="whisper", whisper_model_dir=whisper_dir,
                            whisper_cpu_threads=1)
    configure_queue(settings)
    engine = make_engine(url)
    sessions: sessionmaker[Session] = make_session_factory(engine)
    runtime = make_runtime(settings, sessions)
    use_runtime(runtime)
    yield runtime
    use_runtime(None)
    reset_queue()
    engine.dispose()


@pytest.mark.slow
def test_spoken_consultation_is_transcribed_masked_and_waits_for_review(whisper_runtime: MaskingRuntime) -> None:
    import pyopenjtalk

    speech, rate = pyopenjtalk.tts(
        "電話番号は ゼロキュウゼロ の いちにさんよん の ごろくななはち です。家賃が払えなくて困っています。")
    samples = (np.asarray(speech) / max(1.0, float(np.max(np.abs(speech)))) * 20000).astype("<i2")
    data = encode(samples, int(rate), "flac", "flac")
    rt = whisper_runtime
    cid = consultations.create_from_audio(rt, "yamada", "consultation.flac", data)
    with rt.sessions() as session:
        row = consultations.get(session, cid)
        assert row.status == "transcribing" and row.audio_format == "flac" and row.audio_file
        stored = (rt.settings.data_dir / row.audio_file).read_bytes()
        assert data[:64] not in stored and rt.cipher.decrypt(stored) == data  # encrypted at rest

    transcribe_consultation.enqueue(cid)  # immediate queue: whisper, then the detector

    assert isinstance(rt.transcriber(), EngineFileTranscriber)
    with rt.sessions() as session:
        row = consultations.get(session, cid)
        assert row.status == "pending_review", row.error_message
        assert row.raw_transcript_enc is not None
        raw = rt.cipher.decrypt_text(row.raw_transcript_enc)
        version = consultations.latest_version(session, cid)
        assert version is not None
    assert "困っています" in raw  # whisper heard the consultation
    assert "【電話番号1】" in version.masked_text  # and the spoken number was masked


def test_a_missing_asr_model_is_a_failed_step_with_a_japanese_message(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'noasr.db'}"
    upgrade(url)
    settings = settings_for(tmp_path, url, asr_engine="vosk", vosk_model_path=tmp_path / "no-such-model")
    configure_queue(settings)
    engine = make_engine(url)
    rt = make_runtime(settings, make_session_factory(engine))
    use_runtime(rt)
    try:
        cid = consultations.create_from_audio(rt, "yamada", "call.wav", encode(tone(), 22050, "wav", "pcm_s16le"))
        transcribe_consultation.enqueue(cid)
        with rt.sessions() as session:
            row = consultations.get(session, cid)
            assert row.status == "transcription_failed"
            assert "音声認識モデルが見つかりません" in (row.error_message or "")
        assert consultations.retry(rt, cid, "yamada").value == "transcribing"
        with rt.sessions() as session:
            assert consultations.get(session, cid).error_message is None
    finally:
        use_runtime(None)
        reset_queue()
        engine.dispose()
