"""What the `stream` path shares across calls, built once per app from Settings.

The ASR engine (with its warm pool), the TTS cache, the one-time stream tokens, the Twilio REST
client and the session configuration. Also renders TwiML for the stream path: Says, then a Listen as
``<Connect><Stream>``; Transfer/Enqueue/Hangup go through the gather path's renderer (voice/twiml.py)
so transfers report back to the same webhooks.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from twilio.twiml.voice_response import VoiceResponse

from core.settings import Settings
from voice import jobs as voice_jobs
from voice.asr.base import AsrEngine
from voice.asr.factory import build_asr_engine
from voice.calls import Handled
from voice.endpointing import EndpointingConfig
from voice.errors import CallNotFound, FlowError
from voice.events import Action, CallEvent, Enqueue, HangUp, Hangup, Listen, Say, Transfer
from voice.media_protocol import OutboundMessage, Start
from voice.stream_session import EventHandler, StreamConfig, StreamSession, TurnTiming
from voice.stream_token import StreamTokens
from voice.stream_twiml import append_stream_listen, stream_url
from voice.tts import OpenJTalkSynthesizer
from voice.twilio_rest import CallUpdater, TwilioApiError, TwilioCallUpdater
from voice.twiml import LANGUAGE
from voice.wiring import VoiceRuntime

log = logging.getLogger("madoguchi.voice.stream")
_lock = threading.Lock()


async def handle_call_event(rt: VoiceRuntime, call_sid: str, event: CallEvent, path: str) -> Handled | None:
    """One event of a streamed call (Media Stream or softphone) into the call flow, off the event loop.

    Queues the after-call masking once the bot is done with the call. Returns None when the flow refused
    the event (logged; a hang-up of a call that already ended is expected and not worth a warning).
    """
    try:
        handled = await asyncio.to_thread(rt.service.handle, call_sid, event)
    except (CallNotFound, FlowError) as exc:
        if not isinstance(event, HangUp):
            log.warning("%s event refused call=%s event=%s: %s", path, call_sid, type(event).__name__, exc)
        return None
    await asyncio.to_thread(voice_jobs.mask_when_bot_is_done, handled)
    return handled


class StreamRuntime:
    def __init__(self, settings: Settings, *, engine: AsrEngine | None = None, updater: CallUpdater | None = None,
                 tts: OpenJTalkSynthesizer | None = None, prewarm_tts: bool = True) -> None:
        self.settings = settings
        self.prewarm_tts = prewarm_tts
        self.engine = engine or build_asr_engine(settings)
        self.tts = tts or OpenJTalkSynthesizer(cache_dir=settings.data_dir / "tts-cache")
        self.tokens = StreamTokens(settings.secret_key.get_secret_value().encode())
        self.updater = updater or TwilioCallUpdater(api_base=settings.twilio_api_base,
                                                    account_sid=settings.twilio_account_sid,
                                                    auth_token=settings.twilio_auth_token.get_secret_value())
        self.config = StreamConfig(
            reply_mode=settings.stream_reply,
            endpointing=EndpointingConfig(end_of_turn_silence_ms=settings.endpoint_silence_ms,
                                          aizuchi_max_ms=settings.aizuchi_max_ms),
        )
        self.url = stream_url(settings.public_base_url)
        self.active: set[StreamSession] = set()
        self.finished_sessions = 0
        self.turn_timings: deque[TurnTiming] = deque(maxlen=10_000)  # for benchmarks and metrics; no text

    async def warm_up(self, lines: list[str] | None = None) -> None:
        """Load the ASR model and warm recognizers, then synthesize the lines the bot will surely say."""
        try:
            await self.engine.start()
        except Exception:
            log.exception("ASR warm-up failed (the first calls will be slower)")
        if not self.prewarm_tts and lines is None:
            return
        try:
            await asyncio.to_thread(self.tts.prewarm, lines if lines is not None else self.bot_lines(),
                                    background=True)
        except Exception:
            log.exception("TTS warm-up failed (first answers will be synthesized on demand)")

    def bot_lines(self) -> list[str]:
        """Fixed prompts and every FAQ answer (the prompts' city name comes from the voice config)."""
        import dataclasses

        import faq
        from voice.config import DEFAULT_PATH, load_voice_config
        from voice.prompts import Prompts

        prompts = Prompts(city=load_voice_config(DEFAULT_PATH).city)
        lines = [v for f in dataclasses.fields(prompts) if isinstance(v := getattr(prompts, f.name), str)
                 and f.name != "city"]
        lines += [entry.answer_voice for entry in faq.load_kb(self.settings.faq_kb_path).faqs]
        return lines

    async def aclose(self) -> None:
        await self.engine.aclose()

    # ------------------------------------------------------------------ TwiML
    def render(self, rt: VoiceRuntime, actions: list[Action], call_sid: str, seq: int) -> str:
        if any(isinstance(a, Transfer | Enqueue | Hangup) for a in actions):
            return rt.twiml.render(actions, call_sid, seq)
        response = VoiceResponse()
        for action in actions:
            if isinstance(action, Say):
                response.say(action.text, voice=rt.twiml.tts_voice, language=LANGUAGE)
            elif isinstance(action, Listen):
                append_stream_listen(response, url=self.url, token=self.tokens.issue(call_sid), listen=action)
        return str(response)

    async def apologize_and_hang_up(self, rt: VoiceRuntime, call_sid: str) -> None:
        from voice.web import SORRY

        try:
            await self.updater.update_call(call_sid, rt.twiml.say_only(SORRY, hang_up=True))
        except TwilioApiError as exc:
            log.error("call update failed for %s: %s", call_sid, exc)

    # ------------------------------------------------------------------ sessions
    def new_session(self, rt: VoiceRuntime, start: Start, listen: Listen, handle: EventHandler,
                    send: Callable[[OutboundMessage], Awaitable[None]]) -> StreamSession:
        return StreamSession(
            start=start, listen=listen, handle=handle, engine=self.engine, send=send, updater=self.updater,
            render_update=lambda call_sid, actions, seq: self.render(rt, actions, call_sid, seq),
            tts=self.tts, config=self.config,
        )

    def started(self, session: StreamSession) -> None:
        """A session opened and took its call (voice.stream_dispatch registers it)."""
        self.active.add(session)

    def finished(self, session: StreamSession) -> None:
        self.active.discard(session)
        self.finished_sessions += 1
        self.turn_timings.extend(session.timings)


def stream_runtime(app_state: Any) -> StreamRuntime:
    """The app's StreamRuntime, built on first use (tests may put their own on app.state.voice_stream)."""
    runtime: StreamRuntime | None = getattr(app_state, "voice_stream", None)
    if runtime is None:
        with _lock:
            runtime = getattr(app_state, "voice_stream", None)
            if runtime is None:
                runtime = StreamRuntime(app_state.settings)
                app_state.voice_stream = runtime
    return runtime
