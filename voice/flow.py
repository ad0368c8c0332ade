"""The call flow: an explicit state machine, pure (no web, no database, no clock of its own).

    flow = CallFlow(answerer, config, office_hours)
    ctx = CallContext()                        # a new call
    step = flow.handle(ctx, CallStarted(), now)  # ctx is updated in place; step says what to do
    step = flow.handle(ctx, CallerSaid("住民税の納期は", 0.9), now)

`CallContext` is the whole per-call state; it serializes to JSON (`to_json`/`from_json`) so either speech
path can keep it between events (the gather path in the database, one webhook per event). Every state
change goes through `_move`, which checks TRANSITIONS; an illegal one raises IllegalTransition.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from voice import phrases
from voice.answerer import Answerer, FaqEntry
from voice.errors import IllegalTransition, UnexpectedEvent
from voice.events import (
    Action,
    CallerPressed,
    CallerSaid,
    CallEvent,
    CallStarted,
    Enqueue,
    FlowStep,
    HandoffRequest,
    HangUp,
    Hangup,
    Listen,
    ListenFor,
    Outcome,
    Say,
    Silence,
    Transfer,
    TransferEnded,
    TurnRecord,
    action_from_dict,
    action_to_dict,
)
from voice.flow_context import CallContext
from voice.flow_states import TRANSITIONS, CallState
from voice.office_hours import OfficeHours
from voice.prompts import Prompts

MISSES_BEFORE_TRANSFER = 2
SILENCES_BEFORE_GIVING_UP = 2
CALLBACK_TRIES = 3
_PHONE = re.compile(r"^0\d{9,10}$")  # Japanese fixed (10) and mobile/IP/free-dial (11) numbers


@dataclass(frozen=True)
class FlowConfig:
    departments: dict[str, str]  # department -> phone number (E.164)
    default_department: str
    transfer_mode: str = "dial"  # dial | enqueue
    queue: str = "tax"
    recording_enabled: bool = False
    hint_limit: int = 60
    prompts: Prompts = field(default_factory=Prompts)


class CallFlow:
    def __init__(self, answerer: Answerer, config: FlowConfig, hours: OfficeHours) -> None:
        self.answerer = answerer
        self.config = config
        self.hours = hours
        self.p = config.prompts
        self.hints = tuple(answerer.speech_hints(config.hint_limit)) if config.hint_limit else ()

    # ------------------------------------------------------------------ entry point
    def handle(self, ctx: CallContext, event: CallEvent, now: datetime) -> FlowStep:
        if ctx.ended:
            raise IllegalTransition(ctx.state, CallState.ENDED, type(event).__name__)
        ctx.seq += 1
        step = FlowStep()
        if isinstance(event, HangUp):
            self._hang_up(ctx, step)
        elif isinstance(event, CallStarted):
            self._start(ctx, step)
        elif ctx.state in (CallState.LISTENING, CallState.FOLLOW_UP, CallState.CLARIFYING):
            self._conversation(ctx, event, step, now)
        elif ctx.state is CallState.TRANSFERRING and isinstance(event, TransferEnded):
            self._transfer_ended(ctx, event, step)
        elif ctx.state in (CallState.CALLBACK_OFFER, CallState.CALLBACK_NUMBER, CallState.CALLBACK_CONFIRM):
            self._callback(ctx, event, step, now)
        else:
            raise UnexpectedEvent(ctx.state, type(event).__name__)
        if any(isinstance(a, Say) for a in step.actions) and step.actions and isinstance(step.actions[-1], Listen):
            ctx.repeat = [action_to_dict(a) for a in step.actions]
        if ctx.ended:
            step.outcome = ctx.outcome
        return step

    # ------------------------------------------------------------------ helpers
    def _move(self, ctx: CallContext, to: CallState, event: str = "") -> None:
        if to not in TRANSITIONS[ctx.state]:
            raise IllegalTransition(ctx.state, to, event)
        ctx.state = to

    def _listen(self, expect: ListenFor) -> Listen:
        if expect is ListenFor.QUESTION:
            return Listen(expect, hints=self.hints, max_digits=1, timeout_s=6)
        if expect is ListenFor.PHONE_NUMBER:
            return Listen(expect, max_digits=None, finish_on_key="#", timeout_s=10)
        return Listen(expect, max_digits=1, timeout_s=6)

    def _end(self, ctx: CallContext, step: FlowStep, text: str, outcome: Outcome) -> None:
        self._move(ctx, CallState.ENDED)
        ctx.outcome = outcome
        step.actions += [Say(text), Hangup()]

    # ------------------------------------------------------------------ states
    def _start(self, ctx: CallContext, step: FlowStep) -> None:
        self._move(ctx, CallState.LISTENING, "CallStarted")
        step.turn = TurnRecord(kind="started", decision="greeting")
        step.actions += [Say(self.p.greeting(self.config.recording_enabled)), self._listen(ListenFor.QUESTION)]

    def _hang_up(self, ctx: CallContext, step: FlowStep) -> None:
        if ctx.state is CallState.TRANSFERRING:
            outcome = Outcome.TRANSFERRED
        elif ctx.state in (CallState.FOLLOW_UP, CallState.LISTENING, CallState.CLARIFYING) and ctx.answers:
            outcome = Outcome.RESOLVED
        else:
            outcome = Outcome.ABANDONED
        self._move(ctx, CallState.ENDED, "HangUp")
        ctx.outcome = outcome
        step.turn = TurnRecord(kind="hangup", decision=outcome.value)

    def _conversation(self, ctx: CallContext, event: CallEvent, step: FlowStep, now: datetime) -> None:
        if isinstance(event, CallerPressed):
            step.turn = TurnRecord(kind="pressed", text=None, decision="key")
            key = event.digits[:1]
            if key == "0":
                self._handover(ctx, step, "dtmf_zero", None, now)
            elif key == "9":
                self._repeat(ctx, step)
            elif ctx.state is CallState.CLARIFYING and key in ("1", "2"):
                self._clarify_reply(ctx, "はい" if key == "1" else "後の方", step, now)
            else:
                step.actions += [Say(self.p.keys_help), *self._last_listen(ctx)]
            return
        if isinstance(event, Silence) or (isinstance(event, CallerSaid) and not event.text.strip()):
            self._silence(ctx, step, now)
            return
        if not isinstance(event, CallerSaid):
            raise UnexpectedEvent(ctx.state, type(event).__name__)
        ctx.silences = 0
        text = event.text.strip()
        step.turn = TurnRecord(kind="said", text=text, confidence=event.confidence)
        if self.answerer.is_human_request(text) or phrases.is_bare_staff_request(text):
            self._handover(ctx, step, "human_request", None, now)
        elif ctx.state is CallState.CLARIFYING:
            self._clarify_reply(ctx, text, step, now)
        elif (ctx.answers or ctx.misses) and ctx.state is not CallState.CLARIFYING and phrases.is_not_helpful(text):
            # 「わかりません」 after an answer, 「それも違くて」 after a rephrase request: the bot is not helping
            self._handover(ctx, step, "not_helpful", self._department_of(ctx.last_faq_id), now)
        elif ctx.state is CallState.FOLLOW_UP and (phrases.is_nothing_else(text) or phrases.is_no(text)):
            step.turn = TurnRecord(kind="said", text=text, confidence=event.confidence, decision="goodbye")
            self._end(ctx, step, self.p.goodbye, Outcome.RESOLVED)
        elif ctx.state is CallState.FOLLOW_UP and phrases.is_yes(text):
            step.turn = TurnRecord(kind="said", text=text, confidence=event.confidence, decision="more")
            self._move(ctx, CallState.LISTENING)
            step.actions += [Say(self.p.ask_question), self._listen(ListenFor.QUESTION)]
        else:
            self._question(ctx, text, event.confidence, step, now)

    def _question(self, ctx: CallContext, text: str, confidence: float | None, step: FlowStep,
                  now: datetime) -> None:
        match = self.answerer.match(text)
        ctx.last_question = text
        ctx.candidates = list(match.candidates)
        top = match.faq.id if match.faq else (match.candidates[0][0] if match.candidates else None)
        step.turn = TurnRecord(kind="said", text=text, confidence=confidence, faq_id=top, score=match.score,
                               decision=match.action, reason=match.reason)
        if match.faq is not None and (match.faq.transfer or match.reason == "transfer_faq"):
            self._handover(ctx, step, "transfer_faq", match.faq.department, now, lead_in=match.faq.answer_voice)
        elif match.action == "answer" and match.faq is not None:
            self._answer(ctx, match.faq, step)
        elif match.action == "clarify" and match.reason == "unsure" and match.faq is not None:
            # One likely FAQ, not quite sure enough to answer silently. On the phone a yes/no round trip
            # costs the caller more than hearing which question is being answered: name it first, and
            # 「違う」 afterwards hands the call to staff (the not-helpful rule).
            self._decided(step, "answer", "unsure_named")
            self._answer(ctx, match.faq, step, lead_in=self.p.answering_as(match.faq.question))
        elif match.action == "clarify" and match.clarify_question and match.clarify_options:
            ctx.clarify = match.clarify_options
            self._move(ctx, CallState.CLARIFYING)
            step.actions += [Say(match.clarify_question), self._listen(ListenFor.YES_NO)]
        elif match.reason == "human_request":
            self._handover(ctx, step, "human_request", None, now)
        elif match.reason == "low_confidence":
            self._handover(ctx, step, "low_confidence", self._department_of(top), now)
        else:
            self._miss(ctx, step, now, referral=match.referral)

    def _answer(self, ctx: CallContext, entry: FaqEntry, step: FlowStep, lead_in: str | None = None) -> None:
        ctx.misses = 0
        ctx.answers += 1
        ctx.last_faq_id = entry.id
        ctx.clarify = None
        self._move(ctx, CallState.FOLLOW_UP)
        if lead_in:
            step.actions += [Say(lead_in), Say(entry.answer_voice), Say(self.p.if_not_your_question)]
        else:
            step.actions += [Say(entry.answer_voice)]
        step.actions += [Say(self.p.anything_else), self._listen(ListenFor.QUESTION)]

    def _decided(self, step: FlowStep, decision: str, reason: str | None) -> None:
        """Record on this event's turn what the flow did (which may differ from the matcher's action)."""
        if step.turn is not None:
            t = step.turn
            step.turn = TurnRecord(kind=t.kind, text=t.text, confidence=t.confidence, faq_id=t.faq_id,
                                   score=t.score, decision=decision, reason=reason)

    def _miss(self, ctx: CallContext, step: FlowStep, now: datetime, referral: str | None = None) -> None:
        self._decided(step, "miss", step.turn.reason if step.turn else None)
        ctx.misses += 1
        if ctx.misses >= MISSES_BEFORE_TRANSFER:
            self._handover(ctx, step, "misses", None, now)
            return
        self._move(ctx, CallState.LISTENING)
        prompt = self.p.referral(referral) if referral else self.p.rephrase
        step.actions += [Say(prompt), self._listen(ListenFor.QUESTION)]

    def _clarify_reply(self, ctx: CallContext, text: str, step: FlowStep, now: datetime) -> None:
        assert ctx.clarify is not None
        chosen = self.answerer.resolve_clarify(text, ctx.clarify)
        if chosen is not None:
            if step.turn is not None:
                step.turn = TurnRecord(kind=step.turn.kind, text=step.turn.text, confidence=step.turn.confidence,
                                       faq_id=chosen.id, decision="answer", reason="clarified")
            if chosen.transfer:
                self._handover(ctx, step, "transfer_faq", chosen.department, now, lead_in=chosen.answer_voice)
            else:
                self._answer(ctx, chosen, step)
            return
        ctx.clarify = None
        if phrases.is_yes(text) or phrases.is_no(text):
            self._miss(ctx, step, now)  # neither option fits: ask for the question again
        else:
            self._question(ctx, text, None, step, now)  # the caller restated the question instead

    def _silence(self, ctx: CallContext, step: FlowStep, now: datetime) -> None:
        step.turn = TurnRecord(kind="silence", decision="silence")
        ctx.silences += 1
        if ctx.state is CallState.FOLLOW_UP:
            if ctx.silences >= SILENCES_BEFORE_GIVING_UP:
                self._end(ctx, step, self.p.goodbye, Outcome.RESOLVED)
            else:
                step.actions += [Say(self.p.no_input_after_answer), self._listen(ListenFor.QUESTION)]
        elif ctx.silences >= SILENCES_BEFORE_GIVING_UP:
            self._handover(ctx, step, "silence", None, now)
        elif ctx.state is CallState.CLARIFYING:
            step.actions += [Say(self.p.clarify_again), *self._last_listen(ctx)]
        else:
            step.actions += [Say(self.p.no_input), self._listen(ListenFor.QUESTION)]

    def _repeat(self, ctx: CallContext, step: FlowStep) -> None:
        step.turn = TurnRecord(kind="pressed", decision="repeat")
        step.actions += [action_from_dict(a) for a in ctx.repeat] or [self._listen(ListenFor.QUESTION)]

    def _last_listen(self, ctx: CallContext) -> list[Action]:
        listens = [action_from_dict(a) for a in ctx.repeat if a["type"] == "Listen"]
        return listens[-1:] or [self._listen(ListenFor.QUESTION)]

    # ------------------------------------------------------------------ handover and callback
    def _faq(self, faq_id: str | None) -> FaqEntry | None:
        """The FAQ by id; None if there is none or staff deleted it from the KB during the call."""
        if faq_id is None:
            return None
        try:
            return self.answerer.get(faq_id)
        except KeyError:
            return None

    def _department_of(self, faq_id: str | None) -> str | None:
        faq = self._faq(faq_id)
        return faq.department if faq else None

    def _target(self, department: str | None) -> tuple[str, str]:
        if department and department in self.config.departments:
            return department, self.config.departments[department]
        default = self.config.default_department
        return default, self.config.departments[default]

    def _handover(self, ctx: CallContext, step: FlowStep, reason: str, department: str | None, now: datetime,
                  lead_in: str | None = None) -> None:
        dept, number = self._target(department)
        self._decided(step, "transfer", reason)
        if not self.hours.is_open(now):
            ctx.pending_reason, ctx.pending_department = reason, dept
            ctx.tries = 0
            self._move(ctx, CallState.CALLBACK_OFFER)
            hours = None if self.hours.never else self.hours.describe_ja()
            step.actions += [Say(self.p.closed(hours)), self._listen(ListenFor.MENU)]
            return
        topic = self._faq(ctx.last_faq_id)
        whisper = self.p.whisper(ctx.last_question, topic.question if topic else None)
        self._move(ctx, CallState.TRANSFERRING)
        ctx.outcome = Outcome.TRANSFERRED
        step.handoff = HandoffRequest(kind="transfer", reason=reason, department=dept, question=ctx.last_question,
                                      candidates=tuple(ctx.candidates))
        step.actions.append(Say(lead_in or self.p.transferring))
        if self.config.transfer_mode == "enqueue":
            step.actions.append(Enqueue(department=dept, queue=self.config.queue, whisper=whisper))
        else:
            step.actions.append(Transfer(department=dept, number=number, whisper=whisper))

    def _transfer_ended(self, ctx: CallContext, event: TransferEnded, step: FlowStep) -> None:
        step.turn = TurnRecord(kind="transfer_ended", decision="connected" if event.connected else "not_connected")
        if event.connected:
            self._move(ctx, CallState.ENDED)
            ctx.outcome = Outcome.TRANSFERRED
            step.actions.append(Hangup())
            return
        ctx.outcome = None
        ctx.tries = 0
        ctx.pending_reason = ctx.pending_reason or "staff_unavailable"
        self._move(ctx, CallState.CALLBACK_OFFER)
        step.actions += [Say(self.p.staff_unavailable + self.p.callback_offer), self._listen(ListenFor.MENU)]

    def _callback(self, ctx: CallContext, event: CallEvent, step: FlowStep, now: datetime) -> None:
        text = event.text if isinstance(event, CallerSaid) else ""
        key = event.digits if isinstance(event, CallerPressed) else ""
        step.turn = TurnRecord(kind=_kind(event), decision=ctx.state.value)
        if isinstance(event, CallerPressed) and key == "9" and ctx.state is not CallState.CALLBACK_NUMBER:
            self._repeat(ctx, step)
            return
        yes = key == "1" or (bool(text) and phrases.is_yes(text))
        no = key == "2" or (bool(text) and phrases.is_no(text))
        if ctx.state is CallState.CALLBACK_OFFER:
            if yes:
                ctx.tries = 0
                self._move(ctx, CallState.CALLBACK_NUMBER)
                step.actions += [Say(self.p.callback_enter), self._listen(ListenFor.PHONE_NUMBER)]
            elif no:
                self._end(ctx, step, self.p.callback_declined, Outcome.UNRESOLVED)
            else:
                self._retry(ctx, step, self.p.callback_offer, ListenFor.MENU)
        elif ctx.state is CallState.CALLBACK_NUMBER:
            number = _digits_of(key or text)
            if _PHONE.match(number):
                ctx.callback_number = number
                ctx.tries = 0
                self._move(ctx, CallState.CALLBACK_CONFIRM)
                step.actions += [Say(self.p.callback_readback(number)), self._listen(ListenFor.MENU)]
            else:
                self._retry(ctx, step, self.p.callback_invalid + self.p.callback_enter, ListenFor.PHONE_NUMBER)
        else:  # CALLBACK_CONFIRM
            if yes and ctx.callback_number:
                step.handoff = HandoffRequest(kind="callback", reason=ctx.pending_reason or "callback",
                                              department=ctx.pending_department or self.config.default_department,
                                              question=ctx.last_question, candidates=tuple(ctx.candidates),
                                              callback_number=ctx.callback_number)
                self._end(ctx, step, self.p.callback_done, Outcome.CALLBACK)
            elif no:
                ctx.tries = 0
                ctx.callback_number = None
                self._move(ctx, CallState.CALLBACK_NUMBER)
                step.actions += [Say(self.p.callback_enter), self._listen(ListenFor.PHONE_NUMBER)]
            else:
                self._retry(ctx, step, self.p.callback_readback(ctx.callback_number or ""), ListenFor.MENU)

    def _retry(self, ctx: CallContext, step: FlowStep, prompt: str, expect: ListenFor) -> None:
        ctx.tries += 1
        if ctx.tries >= CALLBACK_TRIES:
            self._end(ctx, step, self.p.give_up, Outcome.UNRESOLVED)
        else:
            step.actions += [Say(prompt), self._listen(expect)]


def _kind(event: CallEvent) -> str:
    return {"CallerSaid": "said", "CallerPressed": "pressed", "Silence": "silence"}.get(type(event).__name__, "other")


def _digits_of(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isascii() and ch.isdigit())
