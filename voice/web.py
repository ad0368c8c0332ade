"""Twilio webhooks for the `gather` path (and the shared entry point for both paths).

Every request must carry a valid X-Twilio-Signature for MADOGUCHI_PUBLIC_BASE_URL + path + query,
checked with the Twilio SDK's RequestValidator; anything else gets 403. Logs carry the CallSid and
event kinds only, never what the caller said or their number.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from twilio.request_validator import RequestValidator

from core.web.csrf import csrf_exempt
from voice import jobs as voice_jobs
from voice.calls import Handled
from voice.console import router as console_router
from voice.errors import CallNotFound, FlowError, StaleEvent
from voice.events import CallerPressed, CallerSaid, CallEvent, HangUp, Silence, Transfer, TransferEnded
from voice.wiring import VoiceRuntime, voice_runtime

log = logging.getLogger("madoguchi.voice")
webhooks = APIRouter(prefix="/voice", include_in_schema=False)
TWILIO = "Twilio request signature (RequestValidator)"
SORRY = ("申し訳ありません。システムの都合により、お電話を終了いたします。"
         "おそれいりますが、あらためておかけ直しください。")
RECORDING_SID = re.compile(r"RE[0-9a-fA-F]{32}")
ENDED_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})

# The `stream` path registers how a new call is connected to its Media Stream (returns TwiML).
StreamEntry = Callable[[VoiceRuntime, Handled, Request], str]
_stream_entry: StreamEntry | None = None


def use_stream_entry(entry: StreamEntry) -> None:
    global _stream_entry
    _stream_entry = entry


def xml(body: str, status_code: int = 200) -> Response:
    return Response(content=body, media_type="application/xml", status_code=status_code)


async def signed_form(request: Request) -> dict[str, str]:
    """The posted form, after checking Twilio's signature against the public URL."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    settings = request.app.state.settings
    url = settings.public_base_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    signature = request.headers.get("x-twilio-signature", "")
    validator = RequestValidator(settings.twilio_auth_token.get_secret_value())
    if not signature or not validator.validate(url, form, signature):
        log.warning("voice webhook rejected: bad signature path=%s", request.url.path)
        raise HTTPException(status_code=403, detail="署名を確認できませんでした。")
    return form


def _seq(request: Request) -> int:
    try:
        return int(request.query_params["seq"])
    except (KeyError, ValueError) as exc:
        raise HTTPException(status_code=400, detail="seq がありません。") from exc


def _reply(rt: VoiceRuntime, handled: Handled) -> Response:
    if handled.replayed:
        log.info("voice replay call=%s seq=%s", handled.call_sid, handled.seq)
    record = handled.seq == 1 and rt.settings.recording_enabled
    return xml(rt.twiml.render(handled.actions, handled.call_sid, handled.seq, start_recording=record))


def _event_from_gather(form: dict[str, str]) -> CallEvent:
    digits = form.get("Digits", "").strip()
    if digits:
        return CallerPressed(digits)
    speech = form.get("SpeechResult", "").strip()
    if speech:
        try:
            confidence: float | None = float(form.get("Confidence", ""))
        except ValueError:
            confidence = None
        return CallerSaid(speech, confidence)
    return Silence()


async def _runtime(request: Request) -> VoiceRuntime:
    return await run_in_threadpool(voice_runtime, request.app.state)


async def _handle(rt: VoiceRuntime, call_sid: str, event: CallEvent, seq: int | None) -> Response:
    try:
        handled = await run_in_threadpool(rt.service.handle, call_sid, event, seq)
    except CallNotFound:
        log.warning("voice event for unknown call=%s", call_sid)
        return xml(rt.twiml.say_only(SORRY, hang_up=True))
    except (StaleEvent, FlowError) as exc:
        # 200, not 4xx: Twilio would replace our apology with its own English error message.
        log.warning("voice event refused call=%s event=%s: %s", call_sid, type(event).__name__, exc)
        return xml(rt.twiml.say_only(SORRY, hang_up=True))
    log.info("voice event call=%s seq=%s event=%s state=%s", call_sid, handled.seq, type(event).__name__,
             handled.state.value)
    await _after(handled)
    return _reply(rt, handled)


async def _after(handled: Handled) -> None:
    await run_in_threadpool(voice_jobs.mask_when_bot_is_done, handled)


@webhooks.post("/incoming")
@csrf_exempt(TWILIO)
async def incoming(request: Request) -> Response:
    form = await signed_form(request)
    rt = await _runtime(request)
    call_sid = form.get("CallSid", "")
    if not call_sid:
        raise HTTPException(status_code=400, detail="CallSid がありません。")
    path = rt.settings.voice_asr
    handled = await run_in_threadpool(rt.service.start, call_sid, form.get("From") or None, path)
    log.info("voice call started call=%s path=%s replay=%s", call_sid, path, handled.replayed)
    if path == "stream" and _stream_entry is not None:
        return xml(_stream_entry(rt, handled, request))
    return _reply(rt, handled)


@webhooks.post("/gather")
@csrf_exempt(TWILIO)
async def gather(request: Request) -> Response:
    form = await signed_form(request)
    rt = await _runtime(request)
    return await _handle(rt, form.get("CallSid", ""), _event_from_gather(form), _seq(request))


@webhooks.post("/transfer-done")
@csrf_exempt(TWILIO)
async def transfer_done(request: Request) -> Response:
    form = await signed_form(request)
    rt = await _runtime(request)
    dial, queue = form.get("DialCallStatus", ""), form.get("QueueResult", "")
    if queue == "hangup" or form.get("CallStatus") in ENDED_STATUSES:
        event: CallEvent = HangUp()
    else:
        event = TransferEnded(connected=dial in ("completed", "answered") or queue == "bridged")
    return await _handle(rt, form.get("CallSid", ""), event, _seq(request))


@webhooks.post("/whisper")
@csrf_exempt(TWILIO)
async def whisper(request: Request) -> Response:
    """Said to the staff member who picks up, before the caller is connected."""
    await signed_form(request)
    rt = await _runtime(request)
    call_sid = request.query_params.get("call", "")
    try:
        actions = await run_in_threadpool(rt.service.stored_actions, call_sid, _seq(request))
    except (CallNotFound, StaleEvent):
        actions = []
    text = next((a.whisper for a in actions if isinstance(a, Transfer)), rt.flow.p.whisper(None, None))
    return xml(rt.twiml.say_only(text))


@webhooks.post("/hold")
@csrf_exempt(TWILIO)
async def hold(request: Request) -> Response:
    await signed_form(request)
    rt = await _runtime(request)
    return xml(rt.twiml.hold_music(rt.flow.p.hold))


@webhooks.post("/recording")
@csrf_exempt(TWILIO)
async def recording(request: Request) -> Response:
    """Twilio's recording status callback: keep the RecordingSid with the call and queue the job that brings
    the audio home (encrypted, into masking's review workflow) and then deletes it at Twilio
    (voice/recordings.py). A replayed callback queues a job that finds the work done."""
    form = await signed_form(request)
    rt = await _runtime(request)
    recording_sid = form.get("RecordingSid", "")
    if form.get("RecordingStatus") != "completed" or not recording_sid:
        return Response(status_code=204)
    if not RECORDING_SID.fullmatch(recording_sid):
        log.warning("recording callback with a malformed RecordingSid refused")
        raise HTTPException(status_code=400, detail="RecordingSid の形式が正しくありません。")
    call_sid = form.get("CallSid", "")
    await run_in_threadpool(rt.service.note_recording, call_sid, recording_sid)
    from masking.runtime import runtime_for_app  # masking/ imports its detection libraries: load on use

    await run_in_threadpool(runtime_for_app, request.app.state)  # what an immediate queue stores into
    try:
        await run_in_threadpool(voice_jobs.fetch_recording.enqueue, recording_sid, call_sid)
    except Exception as exc:  # the queue is down: answer with an error so Twilio's debugger shows it
        log.error("voice recording job not queued recording=%s: %s", recording_sid, type(exc).__name__)
        raise HTTPException(status_code=503, detail="録音の取得を登録できませんでした。") from exc
    log.info("voice recording queued call=%s recording=%s", call_sid, recording_sid)
    return Response(status_code=204)


@webhooks.post("/status")
@csrf_exempt(TWILIO)
async def status(request: Request) -> Response:
    """Twilio's call status callback: a finished call closes its record with its outcome."""
    form = await signed_form(request)
    if form.get("CallStatus") not in ENDED_STATUSES:
        return Response(status_code=204)
    rt = await _runtime(request)
    call_sid = form.get("CallSid", "")
    try:
        await _after(await run_in_threadpool(rt.service.handle, call_sid, HangUp()))
    except CallNotFound:
        log.warning("status callback for unknown call=%s", call_sid)
    except FlowError as exc:
        log.warning("status callback refused call=%s: %s", call_sid, exc)
    return Response(status_code=204)


@asynccontextmanager
async def _warm_up(app: FastAPI) -> AsyncIterator[None]:
    """Load the FAQ matcher before the first call rings (it takes a few seconds), not during it."""
    try:
        await run_in_threadpool(voice_runtime, app.state)
    except Exception as exc:  # the console must still start; webhooks retry the build and log it
        log.error("voice runtime could not be built at startup: %s: %s", type(exc).__name__, exc)
    yield


# What app/main.py includes: the webhooks and the staff console pages.
router = APIRouter(include_in_schema=False, lifespan=_warm_up)
router.include_router(webhooks)
router.include_router(console_router)
