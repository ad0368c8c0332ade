"""The pure call flow driven by scripted events (real FAQ matcher): states after each event, outcome."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from voice.answerer import FaqLibraryAnswerer, Match
from voice.config import load_voice_config
from voice.errors import IllegalTransition, UnexpectedEvent
from voice.events import (
    CallerPressed,
    CallerSaid,
    CallEvent,
    CallStarted,
    Enqueue,
    HangUp,
    Listen,
    ListenFor,
    Outcome,
    Say,
    Silence,
    Transfer,
    TransferEnded,
)
from voice.flow import CallContext, CallFlow, FlowConfig
from voice.flow_states import CallState as S
from voice.office_hours import OfficeHours

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # a Friday, 10:00 in Tokyo
QUESTION = "住民税の納期はいつですか"
OFF_TOPIC = ["ごみの収集日を教えて", "図書館の本の返却はどうすればいい"]  # both out of scope for the tax KB


def event(token: str) -> CallEvent:
    kind, _, value = token.partition(":")
    return {"say": lambda: CallerSaid(value, 0.9), "press": lambda: CallerPressed(value), "silence": Silence,
            "hangup": HangUp, "dial_ok": lambda: TransferEnded(True), "dial_fail": lambda: TransferEnded(False),
            "start": CallStarted}[kind]()


def flow_for(answerer: FaqLibraryAnswerer, hours: str = "always", mode: str = "dial") -> CallFlow:
    base = load_voice_config().flow_config(recording_enabled=False)
    config = FlowConfig(departments=base.departments, default_department=base.default_department,
                        transfer_mode=mode, prompts=base.prompts)
    return CallFlow(answerer, config, OfficeHours(hours))


SCRIPTS = [
    ("answered, then done", ["start", f"say:{QUESTION}", "say:ありません"],
     [S.LISTENING, S.FOLLOW_UP, S.ENDED], Outcome.RESOLVED),
    ("answered, another question", ["start", f"say:{QUESTION}", "say:はい", f"say:{QUESTION}", "silence", "silence"],
     [S.LISTENING, S.FOLLOW_UP, S.LISTENING, S.FOLLOW_UP, S.FOLLOW_UP, S.ENDED], Outcome.RESOLVED),
    ("yes with a question is the question",
     ["start", f"say:{QUESTION}", "say:はい、固定資産税の第3期の納期限は12月の何日ですか", "say:特にありません"],
     [S.LISTENING, S.FOLLOW_UP, S.FOLLOW_UP, S.ENDED], Outcome.RESOLVED),
    ("person requested", ["start", "say:担当の方と直接お話ししたいんですが", "dial_ok"],
     [S.LISTENING, S.TRANSFERRING, S.ENDED], Outcome.TRANSFERRED),
    ("bare 職員", ["start", "say:職員", "hangup"], [S.LISTENING, S.TRANSFERRING, S.ENDED], Outcome.TRANSFERRED),
    ("dtmf 0", ["start", "press:0"], [S.LISTENING, S.TRANSFERRING], Outcome.TRANSFERRED),
    ("two misses", ["start", f"say:{OFF_TOPIC[0]}", f"say:{OFF_TOPIC[1]}"],
     [S.LISTENING, S.LISTENING, S.TRANSFERRING], Outcome.TRANSFERRED),
    ("a miss, then answered, then a miss does not transfer",
     ["start", f"say:{OFF_TOPIC[0]}", f"say:{QUESTION}", f"say:{OFF_TOPIC[1]}"],
     [S.LISTENING, S.LISTENING, S.FOLLOW_UP, S.LISTENING], None),
    ("frustration after a rephrase request", ["start", f"say:{OFF_TOPIC[1]}", "say:えっと、それも違くて"],
     [S.LISTENING, S.LISTENING, S.TRANSFERRING], Outcome.TRANSFERRED),
    ("silence twice", ["start", "silence", "silence"], [S.LISTENING, S.LISTENING, S.TRANSFERRING],
     Outcome.TRANSFERRED),
    ("not helpful", ["start", f"say:{QUESTION}", "say:よくわかりません"], [S.LISTENING, S.FOLLOW_UP, S.TRANSFERRING],
     Outcome.TRANSFERRED),
    ("repeat keeps the state", ["start", f"say:{QUESTION}", "press:9", "press:9"],
     [S.LISTENING, S.FOLLOW_UP, S.FOLLOW_UP, S.FOLLOW_UP], None),
    ("hang up before anything", ["start", "hangup"], [S.LISTENING, S.ENDED], Outcome.ABANDONED),
    ("staff did not answer, callback declined", ["start", "press:0", "dial_fail", "press:2"],
     [S.LISTENING, S.TRANSFERRING, S.CALLBACK_OFFER, S.ENDED], Outcome.UNRESOLVED),
]


@pytest.mark.parametrize(("name", "tokens", "states", "outcome"), SCRIPTS, ids=[s[0] for s in SCRIPTS])
def test_scripted_flow(answerer: FaqLibraryAnswerer, name: str, tokens: list[str], states: list[S],
                       outcome: Outcome | None) -> None:
    flow = flow_for(answerer)
    ctx = CallContext()
    seen = []
    for token in tokens:
        flow.handle(ctx, event(token), NOW)
        seen.append(ctx.state)
    assert seen == states
    assert ctx.outcome == outcome
    assert ctx.seq == len(tokens)


def test_every_step_that_keeps_the_call_ends_with_a_listen(answerer: FaqLibraryAnswerer) -> None:
    flow = flow_for(answerer)
    ctx = CallContext()
    for token in ["start", f"say:{QUESTION}", "say:はい", f"say:{OFF_TOPIC[0]}", "press:5"]:
        step = flow.handle(ctx, event(token), NOW)
        assert isinstance(step.actions[-1], Listen) and isinstance(step.actions[0], Say)


def test_answer_then_anything_else(answerer: FaqLibraryAnswerer) -> None:
    flow = flow_for(answerer)
    ctx = CallContext()
    flow.handle(ctx, CallStarted(), NOW)
    step = flow.handle(ctx, CallerSaid(QUESTION, 0.9), NOW)
    said = [a.text for a in step.actions if isinstance(a, Say)]
    assert said == [answerer.get("JUMIN-001").answer_voice, "ほかにご質問はありますか。"]
    assert step.turn is not None and (step.turn.faq_id, step.turn.decision) == ("JUMIN-001", "answer")


def test_transfer_faq_speaks_its_answer_then_dials_its_department(answerer: FaqLibraryAnswerer) -> None:
    flow = flow_for(answerer)
    ctx = CallContext()
    flow.handle(ctx, CallStarted(), NOW)
    step = flow.handle(ctx, CallerSaid("私の住民税の税額の計算の内訳を教えてほしい", 0.9), NOW)
    transfer = step.actions[-1]
    assert isinstance(transfer, Transfer) and transfer.department == "市民税課"
    assert transfer.number == "+81300001001" and "内訳" in transfer.whisper
    assert step.handoff is not None and step.handoff.reason == "transfer_faq"


def test_enqueue_mode(answerer: FaqLibraryAnswerer) -> None:
    flow = flow_for(answerer, mode="enqueue")
    ctx = CallContext()
    flow.handle(ctx, CallStarted(), NOW)
    step = flow.handle(ctx, CallerPressed("0"), NOW)
    assert isinstance(step.actions[-1], Enqueue) and step.actions[-1].queue == "tax"


def test_out_of_hours_callback_path(answerer: FaqLibraryAnswerer) -> None:
    flow = flow_for(answerer, hours="weekdays 08:45-17:30")
    saturday = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
    ctx = CallContext()
    flow.handle(ctx, CallStarted(), saturday)
    flow.handle(ctx, CallerSaid(OFF_TOPIC[0]), saturday)
    offer = flow.handle(ctx, CallerSaid(OFF_TOPIC[1]), saturday)
    assert ctx.state is S.CALLBACK_OFFER and offer.handoff is None
    assert "平日の8時45分から17時30分まで" in offer.actions[0].text  # type: ignore[union-attr]
    ask = flow.handle(ctx, CallerPressed("1"), saturday)
    listen = ask.actions[-1]
    assert isinstance(listen, Listen) and listen.expect is ListenFor.PHONE_NUMBER and listen.finish_on_key == "#"
    flow.handle(ctx, CallerPressed("0612"), saturday)  # too short: asked again
    assert ctx.state is S.CALLBACK_NUMBER
    flow.handle(ctx, CallerSaid("０６ １２３４ ５６７８"), saturday)  # spoken digits work too
    assert ctx.state is S.CALLBACK_CONFIRM and ctx.callback_number == "0612345678"
    done = flow.handle(ctx, CallerPressed("1"), saturday)
    assert done.handoff is not None and done.handoff.kind == "callback" and done.handoff.reason == "misses"
    assert done.handoff.callback_number == "0612345678" and done.handoff.question == OFF_TOPIC[1]
    assert ctx.outcome is Outcome.CALLBACK and ctx.state is S.ENDED


def test_three_bad_numbers_end_politely(answerer: FaqLibraryAnswerer) -> None:
    flow = flow_for(answerer, hours="never")
    ctx = CallContext()
    for token in ["start", "press:0", "press:1", "press:12", "press:34", "silence"]:
        step = flow.handle(ctx, event(token), NOW)
    assert ctx.state is S.ENDED and ctx.outcome is Outcome.UNRESOLVED
    assert "あらためて" in step.actions[0].text  # type: ignore[union-attr]


def test_events_after_the_end_raise(answerer: FaqLibraryAnswerer) -> None:
    flow = flow_for(answerer)
    ctx = CallContext()
    flow.handle(ctx, CallStarted(), NOW)
    flow.handle(ctx, HangUp(), NOW)
    with pytest.raises(IllegalTransition):
        flow.handle(ctx, CallerSaid(QUESTION), NOW)


def test_speech_while_transferring_is_unexpected(answerer: FaqLibraryAnswerer) -> None:
    flow = flow_for(answerer)
    ctx = CallContext()
    flow.handle(ctx, CallStarted(), NOW)
    flow.handle(ctx, CallerPressed("0"), NOW)
    with pytest.raises(UnexpectedEvent):
        flow.handle(ctx, CallerSaid(QUESTION), NOW)


def test_a_question_ending_in_arimasen_ka_is_not_goodbye(answerer: FaqLibraryAnswerer) -> None:
    flow = flow_for(answerer)
    ctx = CallContext()
    for token in ["start", f"say:{QUESTION}", "say:固定資産税の減免はありませんか"]:
        step = flow.handle(ctx, event(token), NOW)
    assert not ctx.ended and step.turn is not None and step.turn.decision != "goodbye"


class UnsureAnswerer:
    """The real answerer, except that every question comes back as the matcher's 「unsure」 clarify."""

    def __init__(self, real: FaqLibraryAnswerer) -> None:
        self.real = real

    def match(self, text: str) -> Match:
        faq = self.real.get("JUMIN-001")
        return Match(action="clarify", reason="unsure", faq=faq, score=0.4, candidates=(("JUMIN-001", 0.4),),
                     clarify_question="住民税の納期のことですか。", clarify_options=("JUMIN-001", "JUMIN-002"))

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)


def test_unsure_match_is_answered_with_the_question_named_and_a_way_out(answerer: FaqLibraryAnswerer) -> None:
    base = load_voice_config().flow_config(recording_enabled=False)
    flow = CallFlow(UnsureAnswerer(answerer), base, OfficeHours("always"))  # type: ignore[arg-type]
    ctx = CallContext()
    flow.handle(ctx, CallStarted(), NOW)
    step = flow.handle(ctx, CallerSaid("住民税っていつ払うんだっけ", 0.9), NOW)
    said = [a.text for a in step.actions if isinstance(a, Say)]
    assert said[0] == "「住民税の納期はいつですか」というご質問として、お答えします。"
    assert said[1] == answerer.get("JUMIN-001").answer_voice
    assert "違う" in said[2] and ctx.state is S.FOLLOW_UP
    assert step.turn is not None and (step.turn.decision, step.turn.reason) == ("answer", "unsure_named")
    flow.handle(ctx, CallerSaid("違います", 0.9), NOW)
    assert ctx.state is S.TRANSFERRING
