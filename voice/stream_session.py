"""One Media Stream call: audio → endpointing → ASR → call flow → reply (TTS frames or a call update).

The websocket route feeds typed inbound events (voice.media_protocol) to :class:`StreamSession` and
sends whatever it emits; it never looks inside. Time inside the session is audio time (20 ms per
inbound frame) except for the latency measurements, so behaviour is the same at any speed.

Replies: ``media`` mode speaks Say actions as TTS audio on the stream, followed by a mark so the
session knows when playback ended; ``update`` mode speaks with Twilio's <Say> by updating the call,
which ends this stream (the new TwiML opens a fresh one). Transfer, Enqueue and Hangup always update
the call. Barge-in: real speech (longer than an aizuchi) over playback sends ``clear``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from voice.asr.base import AsrEngine, Recognizer
from voice.asr.errors import AsrError
from voice.audio import Upsampler8kTo16k, ulaw_to_pcm16
from voice.endpointing import BargeIn, EndOfTurn, Endpointer, EndpointingConfig, SpeechStarted
from voice.events import (
    Action,
    CallerPressed,
    CallerSaid,
    CallEvent,
    Enqueue,
    HangUp,
    Hangup,
    Listen,
    Say,
    Silence,
    Transfer,
)
from voice.media_protocol import Clear, Dtmf, MarkReached, Media, OutboundMark, OutboundMedia, OutboundMessage, Start
from voice.tts import SpeechSynthesizer, split_sentences
from voice.twilio_rest import CallUpdater, TwilioApiError

log = logging.getLogger("madoguchi.voice.stream")

FRAME_MS = 20
ULAW_BYTES_PER_MS = 8



@dataclass(frozen=True)
class FlowReply:
    """What the call flow answered to one event (``seq`` numbers the event, for TwiML URLs)."""

    actions: list[Action]
    seq: int = 0


EventHandler = Callable[[str, CallEvent], Awaitable[FlowReply]]
UpdateRenderer = Callable[[str, list[Action], int], str]  # (call_sid, actions, seq) -> TwiML for a call update


@dataclass(frozen=True)
class StreamConfig:
    reply_mode: Literal["media", "update"] = "media"
    endpointing: EndpointingConfig = field(default_factory=EndpointingConfig)
    pre_roll_ms: int = 300  # audio kept from before the endpointer's onset, so first syllables reach ASR
    asr_chunk_ms: int = 100  # ASR is fed in chunks this long (fewer thread hops than 20 ms frames)
    media_chunk_ms: int = 200  # outbound TTS audio per media message


@dataclass
class TurnTiming:
    """Monotonic seconds of one caller turn, for benchmarks (no text)."""

    endpoint: float
    asr_done: float | None = None
    flow_done: float | None = None
    reply_issued: float | None = None

    @property
    def asr_ms(self) -> float | None:
        return None if self.asr_done is None else (self.asr_done - self.endpoint) * 1000

    @property
    def reply_after_asr_ms(self) -> float | None:
        if self.asr_done is None or self.reply_issued is None:
            return None
        return (self.reply_issued - self.asr_done) * 1000


class StreamSession:
    def __init__(self, *, start: Start, listen: Listen, handle: EventHandler, engine: AsrEngine,
                 send: Callable[[OutboundMessage], Awaitable[None]], updater: CallUpdater,
                 render_update: UpdateRenderer, tts: SpeechSynthesizer | None, config: StreamConfig) -> None:
        if config.reply_mode == "media" and tts is None:
            raise ValueError("media reply mode needs a speech synthesizer")
        self.call_sid = start.call_sid
        self.stream_sid = start.stream_sid
        self.config = config
        self._handle = handle
        self._engine = engine
        self._send = send
        self._updater = updater
        self._render_update = render_update
        self._tts = tts
        self._endpointer = Endpointer(config.endpointing)
        self._upsampler = Upsampler8kTo16k()
        self._pre_roll: deque[bytes] = deque(maxlen=max(1, config.pre_roll_ms // FRAME_MS))
        self._asr_pending = bytearray()
        self._asr_queue: asyncio.Queue[tuple[str, object]] = asyncio.Queue()
        self._turn_queue: asyncio.Queue[tuple[str, object]] = asyncio.Queue()
        self._recognizer: Recognizer | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._speaking: asyncio.Task[None] | None = None
        # conversation state
        self.listen: Listen | None = listen
        self._listen_since_ms = 0  # audio time from which the no-input timeout counts
        self._digits = ""
        self._playing_mark: str | None = None
        self._playing_until_ms = 0
        self._mark_seq = 0
        self._turn_in_playback = False
        self._busy = 0  # turns handed to ASR/flow and not yet answered
        self.handed_over = False  # the call left this stream (transfer, hang-up, or <Say> update)
        self.closed = False
        self.timings: list[TurnTiming] = []
        self.barge_ins = 0
        self.ignored_aizuchi = 0

    # ------------------------------------------------------------------ lifecycle
    async def open(self) -> None:
        self._recognizer = await self._engine.acquire()
        self._tasks = [asyncio.create_task(self._asr_worker()), asyncio.create_task(self._turn_worker())]

    async def close(self, *, caller_hung_up: bool) -> None:
        if self.closed:
            return
        self.closed = True
        if self._speaking is not None:
            self._speaking.cancel()
        for task in self._tasks:
            task.cancel()
        for task in [*self._tasks, *([self._speaking] if self._speaking else [])]:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._recognizer is not None:
            with contextlib.suppress(AsrError):
                await self._engine.release(self._recognizer)
            self._recognizer = None
        if caller_hung_up and not self.handed_over:
            await self._dispatch(HangUp())

    async def speak(self, reply: FlowReply) -> None:
        """Perform a reply the flow gave before this stream existed (the softphone's greeting, which on a
        phone call is TwiML <Say> ahead of <Connect><Stream>)."""
        await self._perform(reply, None)

    # ------------------------------------------------------------------ inbound events
    @property
    def now_ms(self) -> int:
        return self._endpointer.now_ms

    @property
    def playing(self) -> bool:
        return self._playing_mark is not None and self.now_ms < self._playing_until_ms

    async def on_media(self, media: Media) -> None:
        if self.closed or media.track not in ("inbound", "inbound_track"):
            return
        pcm = ulaw_to_pcm16(media.payload)
        events = self._endpointer.process(pcm, frame_ms=max(FRAME_MS, len(media.payload) // ULAW_BYTES_PER_MS))
        for ev in events:
            if isinstance(ev, SpeechStarted):
                self._turn_in_playback = self.playing
                for frame in self._pre_roll:
                    self._feed_asr(frame)
                self._pre_roll.clear()
            elif isinstance(ev, BargeIn) and self.playing:
                await self._barge_in()
        if self._endpointer.in_turn or any(isinstance(ev, EndOfTurn) for ev in events):
            self._feed_asr(pcm)
        else:
            self._pre_roll.append(pcm)
        for ev in events:
            if isinstance(ev, EndOfTurn):
                await self._end_of_turn(ev)
        if not events and not self._endpointer.in_turn:
            await self._check_no_input()

    async def on_dtmf(self, dtmf: Dtmf) -> None:
        listen = self.listen
        if self.closed or listen is None or not dtmf.digit:
            return
        if self.playing:
            await self._stop_playback()
        self._digits += dtmf.digit
        finished = (listen.finish_on_key and dtmf.digit == listen.finish_on_key) or (
            listen.max_digits is not None and len(self._digits) >= listen.max_digits)
        if finished:
            digits = self._digits.rstrip(listen.finish_on_key) if listen.finish_on_key else self._digits
            self._digits = ""
            self._busy += 1
            await self._turn_queue.put(("event", CallerPressed(digits)))

    async def on_mark(self, mark: MarkReached) -> None:
        if mark.name == self._playing_mark:
            self._playing_mark = None
            self._listen_since_ms = max(self._listen_since_ms, self.now_ms)

    # ------------------------------------------------------------------ audio → ASR
    def _feed_asr(self, pcm8k: bytes) -> None:
        self._asr_pending.extend(pcm8k)
        if len(self._asr_pending) >= self.config.asr_chunk_ms * 16:  # 8 kHz * 2 bytes per ms
            self._flush_asr()

    def _flush_asr(self) -> None:
        if self._asr_pending:
            self._asr_queue.put_nowait(("audio", self._upsampler.process(bytes(self._asr_pending))))
            self._asr_pending.clear()

    async def _end_of_turn(self, ev: EndOfTurn) -> None:
        self._flush_asr()
        if ev.short and (self._turn_in_playback or self.listen is None):
            self.ignored_aizuchi += 1  # an aizuchi over the bot's speech: not a turn
            self._asr_queue.put_nowait(("reset", None))
            return
        if self.listen is None:
            self._asr_queue.put_nowait(("reset", None))
            return
        timing = TurnTiming(endpoint=time.monotonic())
        self.timings.append(timing)
        self._busy += 1
        self._asr_queue.put_nowait(("finish", timing))

    async def _asr_worker(self) -> None:
        while True:
            kind, item = await self._asr_queue.get()
            rec = self._recognizer
            if rec is None:
                continue
            try:
                if kind == "audio":
                    assert isinstance(item, bytes)
                    await rec.accept_audio(item)
                elif kind == "reset":
                    await rec.reset()
                else:
                    assert isinstance(item, TurnTiming)
                    transcript = await rec.finish()
                    item.asr_done = time.monotonic()
                    event: CallEvent = CallerSaid(transcript.text, transcript.confidence)
                    await self._turn_queue.put(("turn", (event, item)))
            except AsrError as exc:
                log.warning("asr failed on call %s: %s (retryable=%s)", self.call_sid, exc, exc.retryable)
                if kind == "finish":  # the caller gets a "please say that again" instead of silence
                    await self._turn_queue.put(("turn", (CallerSaid(""), item)))

    # ------------------------------------------------------------------ flow and replies
    async def _check_no_input(self) -> None:
        listen = self.listen
        if listen is None or self._busy or self.playing or self._endpointer.in_turn:
            return
        start = max(self._listen_since_ms, self._playing_until_ms)
        if self.now_ms - start >= listen.timeout_s * 1000:
            self._busy += 1
            self._listen_since_ms = self.now_ms
            await self._turn_queue.put(("event", Silence()))

    async def _turn_worker(self) -> None:
        while True:
            kind, item = await self._turn_queue.get()
            timing: TurnTiming | None = None
            if kind == "turn":
                assert isinstance(item, tuple)
                event, timing = item
            else:
                assert not isinstance(item, tuple)
                assert isinstance(item, CallEvent)
                event = item
            try:
                if self.listen is None:
                    continue  # the call already left the bot (transfer/hang-up): late input is dropped
                reply = await self._dispatch(event)
                if timing is not None:
                    timing.flow_done = time.monotonic()
                await self._perform(reply, timing)
            except Exception:
                log.exception("stream turn failed on call %s", self.call_sid)
            finally:
                self._busy = max(0, self._busy - 1)
                self._listen_since_ms = max(self._listen_since_ms, self.now_ms)

    async def _dispatch(self, event: CallEvent) -> FlowReply:
        return await self._handle(self.call_sid, event)

    async def _perform(self, reply: FlowReply, timing: TurnTiming | None) -> None:
        actions = reply.actions
        self._digits = ""
        leaves = any(isinstance(a, Transfer | Enqueue | Hangup) for a in actions)
        if leaves or self.config.reply_mode == "update":
            if not actions:
                return  # the flow refused the event; keep listening
            # Mark the hand-over before the REST call: Twilio may close this stream (Stop) as soon as it
            # applies the update, before its response reaches us, and that Stop is not a hang-up.
            self.handed_over = True
            self.listen = None
            await self._update_call(actions, reply.seq)
            if timing is not None:
                timing.reply_issued = time.monotonic()
            return
        texts = [a.text for a in actions if isinstance(a, Say)]
        listens = [a for a in actions if isinstance(a, Listen)]
        self.listen = listens[-1] if listens else self.listen
        if self.playing:
            await self._stop_playback()
        if texts:
            self._speaking = asyncio.create_task(self._speak(texts, timing))
        self._listen_since_ms = self.now_ms

    async def _update_call(self, actions: list[Action], seq: int) -> None:
        twiml = self._render_update(self.call_sid, actions, seq)
        try:
            await self._updater.update_call(self.call_sid, twiml)
        except TwilioApiError as exc:
            log.error("call update failed for %s: %s (retryable=%s)", self.call_sid, exc, exc.retryable)

    async def _speak(self, texts: list[str], timing: TurnTiming | None) -> None:
        assert self._tts is not None
        self._mark_seq += 1
        mark = f"reply-{self._mark_seq}"
        self._playing_mark = mark
        self._playing_until_ms = self.now_ms
        chunk = self.config.media_chunk_ms * ULAW_BYTES_PER_MS
        for text in texts:
            for sentence in split_sentences(text):
                audio = await asyncio.to_thread(self._tts.synthesize_sentence, sentence)
                for i in range(0, len(audio), chunk):
                    if self._playing_mark != mark or self.closed:
                        return  # barge-in or a newer reply: stop sending
                    await self._send(OutboundMedia(self.stream_sid, audio[i:i + chunk]))
                if timing is not None and timing.reply_issued is None:
                    timing.reply_issued = time.monotonic()
                # playback continues from whichever is later: now, or the end of what is queued
                self._playing_until_ms = max(self._playing_until_ms, self.now_ms) + len(audio) // ULAW_BYTES_PER_MS
        await self._send(OutboundMark(self.stream_sid, mark))

    async def _barge_in(self) -> None:
        self.barge_ins += 1
        await self._stop_playback()

    async def _stop_playback(self) -> None:
        # The speaking task sees the mark change before its next chunk and stops; it is not cancelled
        # so that a websocket send is never interrupted half-way.
        self._playing_mark = None
        self._playing_until_ms = self.now_ms
        await self._send(Clear(self.stream_sid))
