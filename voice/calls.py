"""CallService: drives the call flow for one event and keeps the call record — shared by both speech paths.

    service.start(call_sid, caller="+81…", asr_path="gather") -> Handled   (idempotent per CallSid)
    service.handle(call_sid, CallerSaid(…), seq=2)           -> Handled   (seq=None: "the next one")

Idempotency: event number `seq` of a call is stored once (unique call_id+seq). A retried webhook with a
seq that was already handled gets the stored reply back (Handled.replayed) and changes nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from core.clock import utcnow
from core.crypto import DataCipher
from core.db import session_scope
from voice.errors import CallNotFound, IllegalTransition, StaleEvent
from voice.events import Action, CallEvent, CallStarted, FlowStep, HangUp, action_from_dict, action_to_dict
from voice.flow import CallContext, CallFlow
from voice.flow_states import CallState
from voice.models import Call, Handoff, Turn

Masker = Callable[[str], str]


@dataclass(frozen=True)
class Handled:
    call_sid: str
    seq: int  # number of the event just handled (the next one is seq + 1)
    actions: list[Action]
    state: CallState
    replayed: bool = False
    handoff_id: int | None = None


class CallService:
    def __init__(self, flow: CallFlow, sessions: sessionmaker[Session], cipher: DataCipher,
                 masker: Masker | None = None, clock: Callable[[], datetime] = utcnow) -> None:
        self.flow = flow
        self.sessions = sessions
        self.cipher = cipher
        self.masker = masker
        self.clock = clock

    # ------------------------------------------------------------------ public
    def start(self, call_sid: str, caller: str | None = None, asr_path: str = "gather") -> Handled:
        try:
            with session_scope(self.sessions) as s:
                now = self.clock()
                ctx = CallContext()
                call = Call(call_sid=call_sid, asr_path=asr_path, started_at=now, updated_at=now,
                            state=ctx.state.value, turns=0, answers=0, context_enc=b"",
                            caller_enc=self.cipher.encrypt_text(caller) if caller else None)
                s.add(call)
                s.flush()
                return self._apply(s, call, ctx, CallStarted(), now)
        except IntegrityError:
            return self._replay(call_sid, 1)  # Twilio retried the incoming webhook

    def handle(self, call_sid: str, event: CallEvent, seq: int | None = None) -> Handled:
        try:
            with session_scope(self.sessions) as s:
                now = self.clock()
                # Write first: takes the row lock (PostgreSQL) / the write lock (SQLite) so events of one
                # call are applied one at a time.
                s.execute(update(Call).where(Call.call_sid == call_sid).values(updated_at=now))
                call = s.scalar(select(Call).where(Call.call_sid == call_sid))
                if call is None:
                    raise CallNotFound(f"no call {call_sid}")
                ctx = CallContext.from_json(self.cipher.decrypt_text(call.context_enc))
                if seq is not None and seq <= ctx.seq:
                    replay = self._stored(s, call, seq)
                    if replay is not None:
                        return replay
                    raise StaleEvent(f"call {call_sid}: event {seq} was never handled")
                if seq is not None and seq != ctx.seq + 1:
                    raise StaleEvent(f"call {call_sid}: event {seq} arrived, expected {ctx.seq + 1}")
                if ctx.ended:
                    if isinstance(event, HangUp):  # status callback after the bot hung up
                        call.ended_at = call.ended_at or now
                        return Handled(call_sid, ctx.seq, [], ctx.state, replayed=True)
                    raise IllegalTransition(ctx.state, CallState.ENDED, type(event).__name__)
                return self._apply(s, call, ctx, event, now)
        except IntegrityError:
            if seq is None:
                raise
            return self._replay(call_sid, seq)  # a concurrent retry stored the same event first

    def context(self, call_sid: str) -> CallContext:
        with session_scope(self.sessions) as s:
            call = s.scalar(select(Call).where(Call.call_sid == call_sid))
            if call is None:
                raise CallNotFound(f"no call {call_sid}")
            return CallContext.from_json(self.cipher.decrypt_text(call.context_enc))

    def note_recording(self, call_sid: str, recording_sid: str) -> None:
        with session_scope(self.sessions) as s:
            s.execute(update(Call).where(Call.call_sid == call_sid).values(recording_sid=recording_sid[:64]))

    def stored_actions(self, call_sid: str, seq: int) -> list[Action]:
        handled = self._replay(call_sid, seq)
        return handled.actions

    # ------------------------------------------------------------------ internals
    def _apply(self, s: Session, call: Call, ctx: CallContext, event: CallEvent, now: datetime) -> Handled:
        t0 = time.perf_counter()
        step = self.flow.handle(ctx, event, now)
        handle_ms = (time.perf_counter() - t0) * 1000
        turn = step.turn
        text = turn.text if turn else None
        s.add(Turn(call_id=call.id, seq=ctx.seq, at=now, kind=turn.kind if turn else "other",
                   text_enc=self.cipher.encrypt_text(text) if text else None,
                   text_masked=self._mask(text), confidence=turn.confidence if turn else None,
                   faq_id=turn.faq_id if turn else None, score=turn.score if turn else None,
                   decision=turn.decision if turn else None, reason=turn.reason if turn else None,
                   state_after=ctx.state.value, handle_ms=handle_ms,
                   actions_enc=self.cipher.encrypt_text(json.dumps([action_to_dict(a) for a in step.actions],
                                                                   ensure_ascii=False))))
        s.flush()  # the unique (call_id, seq) check happens here, before anything else is written
        handoff_id = self._handoff(s, call, step, now) if step.handoff else None
        call.context_enc = self.cipher.encrypt_text(ctx.to_json())
        call.state = ctx.state.value
        call.outcome = ctx.outcome.value if ctx.outcome else None
        call.turns = ctx.seq
        call.answers = ctx.answers
        call.updated_at = now
        if ctx.ended:
            call.ended_at = now
        return Handled(call.call_sid, ctx.seq, step.actions, ctx.state, handoff_id=handoff_id)

    def _handoff(self, s: Session, call: Call, step: FlowStep, now: datetime) -> int:
        assert step.handoff is not None
        h = step.handoff
        said = [self.cipher.decrypt_text(t) for t in s.scalars(
            select(Turn.text_enc).where(Turn.call_id == call.id, Turn.text_enc.is_not(None)).order_by(Turn.seq))
            if t is not None]
        transcript = json.dumps(said, ensure_ascii=False)
        masked_said = [self._mask(x) or "" for x in said] if self.masker else None
        row = Handoff(call_id=call.id, kind=h.kind, reason=h.reason, department=h.department, created_at=now,
                      question_enc=self.cipher.encrypt_text(h.question) if h.question else None,
                      question_masked=self._mask(h.question),
                      transcript_enc=self.cipher.encrypt_text(transcript),
                      transcript_masked=json.dumps(masked_said, ensure_ascii=False) if masked_said else None,
                      candidates=json.dumps([[i, round(sc, 4)] for i, sc in h.candidates]),
                      callback_number_enc=self.cipher.encrypt_text(h.callback_number) if h.callback_number else None,
                      status="open")
        s.add(row)
        s.flush()
        return row.id

    def _mask(self, text: str | None) -> str | None:
        if text is None or self.masker is None:
            return None
        return self.masker(text)

    def _stored(self, s: Session, call: Call, seq: int) -> Handled | None:
        turn = s.scalar(select(Turn).where(Turn.call_id == call.id, Turn.seq == seq))
        if turn is None:
            return None
        actions = [action_from_dict(a) for a in json.loads(self.cipher.decrypt_text(turn.actions_enc))]
        handoff_id = None
        if any(type(a).__name__ in ("Transfer", "Enqueue") for a in actions):
            handoff_id = s.scalar(select(Handoff.id).where(Handoff.call_id == call.id, Handoff.kind == "transfer")
                                  .order_by(Handoff.id.desc()).limit(1))
        return Handled(call.call_sid, seq, actions, CallState(turn.state_after), replayed=True,
                       handoff_id=handoff_id)

    def _replay(self, call_sid: str, seq: int) -> Handled:
        with session_scope(self.sessions) as s:
            call = s.scalar(select(Call).where(Call.call_sid == call_sid))
            if call is None:
                raise CallNotFound(f"no call {call_sid}")
            stored = self._stored(s, call, seq)
            if stored is None:
                raise StaleEvent(f"call {call_sid}: event {seq} was never handled")
            return stored
