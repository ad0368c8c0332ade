"""Call recordings come home: the signed recording callback queues a job that downloads the WAV from a
Twilio REST stand-in on 127.0.0.1, stores it encrypted as an audio consultation (transcribed, masked, waiting
for review) and only then deletes it at "Twilio". Immediate queue: the job runs inside the callback."""

from __future__ import annotations

import base64
import io
import json
import logging
import re
import threading
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.main import create_app
from core.audit import AuditEntry
from core.jobs import reset_queue
from core.migrate import upgrade
from masking import consultations
from masking.models import Consultation
from masking.runtime import MaskingRuntime, shared_detector, use_runtime
from masking.transcription import EngineFileTranscriber, FileTranscriber
from tests.voice.asr_support import whisper_engine
from tests.voice.gather_harness import ACCOUNT, TOKEN, TwilioCall, harness_settings
from voice import jobs as voice_jobs
from voice.answerer import FaqLibraryAnswerer
from voice.audio import ulaw_to_pcm16
from voice.models import Call
from voice.recordings import actor_for
from voice.tts import OpenJTalkSynthesizer
from voice.twilio_rest import RecordingTooLarge, TwilioApiError, TwilioRecordings
from voice.wiring import VoiceRuntime

SID = "RE" + "a1" * 16
SPOKEN = "電話番号は ゼロキュウゼロ の いちにさんよん の ごろくななはち です。家賃が払えなくて困っています。"


@dataclass
class Seen:
    method: str
    recording_sid: str
    status: int
    stored_then: int | None = None  # DELETE: consultations for this recording in the database at that moment


@dataclass
class TwilioRecordingsStandIn:
    """Twilio's `…/Recordings/{Sid}.wav` (GET) and `…/Recordings/{Sid}.json` (DELETE), basic auth checked."""

    account: str = ACCOUNT
    token: str = TOKEN
    recordings: dict[str, bytes] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    fail: dict[str, int] = field(default_factory=dict)  # method → status to answer instead (until cleared)
    fail_times: dict[str, int] = field(default_factory=dict)  # method → how many more times to fail
    on_delete: Callable[[str], int] | None = None
    base: str = ""

    def __post_init__(self) -> None:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                standin._serve(self, "GET")

            def do_DELETE(self) -> None:
                standin._serve(self, "DELETE")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        pattern = rf"/2010-04-01/Accounts/{self.account}/Recordings/(RE\w+)\.({'wav' if method == 'GET' else 'json'})"
        match = re.fullmatch(pattern, handler.path)
        sid = match.group(1) if match else "?"
        expected = "Basic " + base64.b64encode(f"{self.account}:{self.token}".encode()).decode()
        if handler.headers.get("Authorization") != expected:
            status, body, kind = 401, json.dumps({"code": 20003, "message": "Authenticate"}).encode(), "json"
        elif self.fail.get(method) and self.fail_times.get(method, 1) > 0:
            self.fail_times[method] = self.fail_times.get(method, 1) - 1
            status, body, kind = self.fail[method], b'{"message": "trouble"}', "json"
        elif match is None or sid not in self.recordings:
            status, body, kind = 404, b'{"code": 20404}', "json"
        elif method == "GET":
            status, body, kind = 200, self.recordings[sid], "wav"
        else:
            seen = Seen(method, sid, 204, self.on_delete(sid) if self.on_delete else None)
            del self.recordings[sid]
            self.seen.append(seen)
            handler.send_response(204)
            handler.end_headers()
            return
        self.seen.append(Seen(method, sid, status))
        handler.send_response(status)
        handler.send_header("Content-Type", "audio/x-wav" if kind == "wav" else "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def twilio_wav(caller_pcm8k: bytes) -> bytes:
    """What Twilio stores for `track=both channels=dual`: 8 kHz 16-bit PCM, caller left, bot right (silent)."""
    caller = np.frombuffer(caller_pcm8k, dtype="<i2")
    stereo = np.column_stack([caller, np.zeros_like(caller)]).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(stereo.tobytes())
    return out.getvalue()


def spoken_wav() -> bytes:
    return twilio_wav(ulaw_to_pcm16(OpenJTalkSynthesizer(cache_size=0).synthesize_ulaw(SPOKEN)))


def tone_wav(seconds: float = 1.0) -> bytes:
    t = np.arange(int(8000 * seconds)) / 8000
    return twilio_wav((np.sin(2 * np.pi * 440 * t) * 9000).astype("<i2").tobytes())


class FixedTranscriber(FileTranscriber):
    """The ASR interface's smallest real implementation: every recording says the same (fast tests)."""

    def transcribe(self, pcm16: bytes) -> str:
        assert pcm16, "the stored recording decoded to no audio"
        return "相談者：家賃が払えなくて困っています。"


@dataclass
class Line:
    client: TestClient
    standin: TwilioRecordingsStandIn
    masking: MaskingRuntime
    data_dir: Path

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self.masking.sessions

    def call(self, call_sid: str) -> TwilioCall:
        call = TwilioCall(self.client, call_sid)
        assert 'recordingStatusCallback="' in call.start().body  # recording is on
        return call

    def recording_done(self, call: TwilioCall, recording_sid: str = SID) -> int:
        form = dict(call.base_form(), CallStatus="completed", RecordingSid=recording_sid,
                    RecordingStatus="completed", RecordingChannels="2", RecordingSource="StartCallRecording",
                    RecordingUrl=f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{recording_sid}")
        return call.post("/voice/recording", form).status_code

    def consultations(self, recording_sid: str = SID) -> list[Consultation]:
        with self.sessions() as s:
            rows = list(s.scalars(select(Consultation).where(Consultation.created_by == actor_for(recording_sid))))
            s.expunge_all()
            return rows

    def audit(self, prefix: str = "voice.recording.") -> list[AuditEntry]:
        with self.sessions() as s:
            rows = list(s.scalars(select(AuditEntry).where(AuditEntry.action.startswith(prefix))
                                  .order_by(AuditEntry.seq)))
            s.expunge_all()
            return rows

    def audio_files(self) -> list[Path]:
        folder = self.data_dir / "masking" / "audio"
        return sorted(folder.iterdir()) if folder.exists() else []


@pytest.fixture
def standin() -> Iterator[TwilioRecordingsStandIn]:
    api = TwilioRecordingsStandIn()
    yield api
    api.close()


LineFactory = Callable[..., Line]


@pytest.fixture
def open_line(tmp_path: Path, answerer: FaqLibraryAnswerer, standin: TwilioRecordingsStandIn) -> Iterator[LineFactory]:
    opened: list[Line] = []

    def factory(transcriber: FileTranscriber | None = None) -> Line:
        url = f"sqlite:///{tmp_path / 'recordings.db'}"
        upgrade(url)
        settings = harness_settings(tmp_path, url, recording=True).model_copy(
            update={"twilio_api_base": standin.base, "twilio_account_sid": ACCOUNT})
        app = create_app(settings)
        app.state.voice = VoiceRuntime(settings, app.state.db_sessions, answerer=answerer)
        app.state.masking = MaskingRuntime(settings, app.state.db_sessions, detector=shared_detector(),
                                           transcriber=transcriber or FixedTranscriber())
        client = TestClient(app).__enter__()
        line = Line(client, standin, app.state.masking, tmp_path)
        standin.on_delete = lambda sid: len(line.consultations(sid))
        opened.append(line)
        return line

    yield factory
    for line in opened:
        line.client.__exit__(None, None, None)
        line.client.app.state.db_engine.dispose()  # type: ignore[attr-defined]
    use_runtime(None)
    reset_queue()


def files_containing(folder: Path, needle: bytes) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


@pytest.mark.slow
def test_a_recorded_call_is_stored_encrypted_for_review_then_deleted_at_twilio(open_line: LineFactory) -> None:
    line = open_line(transcriber=EngineFileTranscriber(whisper_engine()))
    wav = spoken_wav()
    line.standin.recordings[SID] = wav
    call = line.call("CArecorded")

    assert line.recording_done(call) == 204

    # downloaded once, deleted once — and when the DELETE arrived the consultation was already committed
    assert [(s.method, s.status) for s in line.standin.seen] == [("GET", 200), ("DELETE", 204)]
    assert line.standin.seen[1].stored_then == 1
    assert SID not in line.standin.recordings
    [row] = line.consultations()
    assert (row.source, row.audio_format, row.audio_bytes) == ("audio", "wav", len(wav))
    assert row.status == "pending_review", row.error_message  # transcribed (whisper), masked, waiting for review
    assert row.audio_file is not None
    stored = (line.data_dir / row.audio_file).read_bytes()
    assert line.masking.cipher.decrypt(stored) == wav  # the encrypted copy is the recording
    with line.sessions() as s:
        version = consultations.latest_version(s, row.id)
        assert version is not None and "【電話番号1】" in version.masked_text
        assert s.scalar(select(Call.recording_sid).where(Call.call_sid == "CArecorded")) == SID
    raw = line.masking.cipher.decrypt_text(row.raw_transcript_enc or b"")
    assert "困って" in raw

    # the raw audio is nowhere on disk in the clear: not in the audio folder, the database or its journal
    middle = wav[len(wav) // 2: len(wav) // 2 + 64]
    assert middle.strip(b"\x00")  # a stretch of speech, not silence
    assert files_containing(line.data_dir, middle) == []
    assert files_containing(line.data_dir, wav[:44]) == []  # nor the WAV header

    # audited, with ids only
    store, delete = line.audit()
    assert (store.action, store.target_type, store.target_id) == ("voice.recording.store", "voice_recording", SID)
    with line.sessions() as s:
        call_id = s.scalar(select(Call.id).where(Call.call_sid == "CArecorded"))
    assert json.loads(store.detail) == {"bytes": len(wav), "call_id": call_id, "consultation_id": row.id}
    assert (delete.action, json.loads(delete.detail)) == ("voice.recording.delete",
                                                          {"already_gone": False, "consultation_id": row.id})

    # Twilio replays the callback: nothing new anywhere
    audit_before = len(line.audit(""))
    assert line.recording_done(call) == 204
    assert len(line.standin.seen) == 2
    assert len(line.consultations()) == 1
    assert len(line.audit("")) == audit_before
    assert len(line.audio_files()) == 1


def test_a_failing_download_deletes_nothing_and_is_retried(open_line: LineFactory,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    line = open_line()
    line.standin.recordings[SID] = tone_wav()
    line.standin.fail["GET"] = 500
    line.standin.fail_times["GET"] = 10**6
    call = line.call("CAdownload500")

    with caplog.at_level(logging.WARNING, logger="madoguchi.voice"):
        assert line.recording_done(call) == 204  # Twilio gets its answer; the job failed inside

    assert [(s.method, s.status) for s in line.standin.seen] == [("GET", 500)] * 3  # tried, retried twice
    assert SID in line.standin.recordings  # still at Twilio: nothing was deleted
    assert line.consultations() == [] and line.audio_files() == [] and line.audit() == []
    assert any(SID in r.getMessage() and "HTTP 500" in r.getMessage() and "retryable=True" in r.getMessage()
               for r in caplog.records)

    with pytest.raises(TwilioApiError) as failed:  # what the job system sees, and retries
        voice_jobs.fetch_recording(SID, "CAdownload500")
    assert failed.value.retryable and failed.value.status == 500

    line.standin.fail.clear()  # Twilio recovers; the job's retry (run here by a replayed callback) succeeds
    assert line.recording_done(call) == 204
    assert [(s.method, s.status) for s in line.standin.seen[-2:]] == [("GET", 200), ("DELETE", 204)]
    assert len(line.consultations()) == 1 and len(line.audio_files()) == 1
    assert SID not in line.standin.recordings


def test_wrong_credentials_are_a_clear_error_and_touch_nothing(open_line: LineFactory,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    line = open_line()
    line.standin.recordings[SID] = tone_wav()
    line.standin.token = "the-token-after-rotation-0123456789"  # our settings still hold the old one
    call = TwilioCall(line.client, "CAcreds")
    call.start()

    with caplog.at_level(logging.WARNING, logger="madoguchi.voice"):
        assert line.recording_done(call) == 204
    assert [(s.method, s.status) for s in line.standin.seen] == [("GET", 401)]  # a 401 is not retried at once
    with pytest.raises(TwilioApiError) as failed:
        voice_jobs.fetch_recording(SID, "CAcreds")
    assert failed.value.status == 401 and not failed.value.retryable
    assert "MADOGUCHI_TWILIO_AUTH_TOKEN" in str(failed.value)
    assert any("MADOGUCHI_TWILIO_AUTH_TOKEN" in r.getMessage() and SID in r.getMessage() for r in caplog.records)
    assert SID in line.standin.recordings and line.consultations() == [] and line.audio_files() == []


def test_a_failing_delete_keeps_the_stored_copy_and_only_the_delete_is_retried(
        open_line: LineFactory, caplog: pytest.LogCaptureFixture) -> None:
    line = open_line()
    wav = tone_wav()
    line.standin.recordings[SID] = wav
    line.standin.fail["DELETE"] = 503
    line.standin.fail_times["DELETE"] = 3  # every attempt of the first run
    call = line.call("CAdelete503")

    with caplog.at_level(logging.WARNING, logger="madoguchi.voice"):
        assert line.recording_done(call) == 204
    assert [(s.method, s.status) for s in line.standin.seen] == [("GET", 200)] + [("DELETE", 503)] * 3
    [row] = line.consultations()
    assert row.audio_file and line.masking.cipher.decrypt((line.data_dir / row.audio_file).read_bytes()) == wav
    assert [e.action for e in line.audit()] == ["voice.recording.store"]
    [failure] = [r.getMessage() for r in caplog.records if "delete at Twilio failed" in r.getMessage()]
    assert SID in failure and "HTTP 503" in failure  # the RecordingSid, never content

    voice_jobs.fetch_recording(SID, "CAdelete503")  # the job's retry: no second download, the delete goes through
    assert [(s.method, s.status) for s in line.standin.seen[4:]] == [("DELETE", 204)]
    assert len(line.consultations()) == 1
    assert [e.action for e in line.audit()] == ["voice.recording.store", "voice.recording.delete"]


def test_a_recording_already_gone_at_twilio_counts_as_deleted(open_line: LineFactory) -> None:
    line = open_line()
    line.standin.recordings[SID] = tone_wav()
    call = line.call("CAgone")
    line.standin.fail["DELETE"] = 404  # someone deleted it in Twilio's console meanwhile
    assert line.recording_done(call) == 204
    assert [(s.method, s.status) for s in line.standin.seen] == [("GET", 200), ("DELETE", 404)]
    assert json.loads(line.audit()[-1].detail)["already_gone"] is True
    assert len(line.consultations()) == 1


def test_a_malformed_recording_sid_is_refused(open_line: LineFactory) -> None:
    line = open_line()
    call = line.call("CAbadsid")
    assert line.recording_done(call, recording_sid="RE../../Calls/x") == 400
    assert line.standin.seen == []


def test_the_client_retries_429_and_refuses_oversized_recordings(standin: TwilioRecordingsStandIn) -> None:
    wav = tone_wav(2.0)
    standin.recordings[SID] = wav
    client = TwilioRecordings(api_base=standin.base, account_sid=ACCOUNT, auth_token=TOKEN)
    standin.fail["GET"] = 429
    standin.fail_times["GET"] = 1
    assert client.download(SID, max_bytes=len(wav)) == wav
    assert [(s.method, s.status) for s in standin.seen] == [("GET", 429), ("GET", 200)]

    with pytest.raises(RecordingTooLarge) as too_large:
        client.download(SID, max_bytes=len(wav) - 1)
    assert not too_large.value.retryable
    assert client.delete(SID) is True and client.delete(SID) is False  # 204, then 404: already gone
