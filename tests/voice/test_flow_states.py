"""The state machine's table, office hours and the small caller-phrase rules (no FAQ needed)."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import product

import pytest

from voice import phrases
from voice.errors import IllegalTransition
from voice.events import Listen, ListenFor, Say, Transfer, action_from_dict, action_to_dict
from voice.flow import CallContext, CallFlow
from voice.flow_states import TRANSITIONS, CallState
from voice.office_hours import OfficeHours, OfficeHoursError
from voice.prompts import Prompts, digits_ja

S = CallState
ALLOWED = {
    (S.NEW, S.LISTENING), (S.NEW, S.ENDED),
    *((a, b) for a in (S.LISTENING, S.CLARIFYING, S.FOLLOW_UP)
      for b in (S.LISTENING, S.CLARIFYING, S.FOLLOW_UP, S.TRANSFERRING, S.CALLBACK_OFFER, S.ENDED)),
    (S.TRANSFERRING, S.CALLBACK_OFFER), (S.TRANSFERRING, S.ENDED),
    (S.CALLBACK_OFFER, S.CALLBACK_NUMBER), (S.CALLBACK_OFFER, S.ENDED),
    (S.CALLBACK_NUMBER, S.CALLBACK_CONFIRM), (S.CALLBACK_NUMBER, S.ENDED),
    (S.CALLBACK_CONFIRM, S.CALLBACK_NUMBER), (S.CALLBACK_CONFIRM, S.ENDED),
}


@pytest.mark.parametrize(("current", "target"), list(product(CallState, CallState)))
def test_transition_table(current: CallState, target: CallState) -> None:
    assert (target in TRANSITIONS[current]) == ((current, target) in ALLOWED)


@pytest.mark.parametrize(("current", "target"), sorted(
    (pair for pair in product(CallState, CallState) if pair not in ALLOWED), key=str)[:12])
def test_illegal_move_raises(current: CallState, target: CallState) -> None:
    flow = CallFlow.__new__(CallFlow)  # _move needs no collaborators
    ctx = CallContext(state=current)
    with pytest.raises(IllegalTransition):
        flow._move(ctx, target)
    assert ctx.state is current


def test_context_round_trips_through_json() -> None:
    ctx = CallContext(state=S.CLARIFYING, seq=3, misses=1, last_question="住民税の納期", clarify=("A-1", "B-2"),
                      candidates=[("A-1", 0.5)], repeat=[action_to_dict(Say("はい"))])
    assert CallContext.from_json(ctx.to_json()) == ctx


@pytest.mark.parametrize("action", [
    Say("こんにちは"), Listen(ListenFor.QUESTION, hints=("住民税",)),
    Listen(ListenFor.PHONE_NUMBER, max_digits=None, finish_on_key="#", timeout_s=10),
    Transfer(department="納税課", number="+81300001003", whisper="AI自動応答からの転送です。"),
])
def test_actions_round_trip(action: object) -> None:
    assert action_from_dict(action_to_dict(action)) == action  # type: ignore[arg-type]


@pytest.mark.parametrize(("spec", "moment", "open_"), [
    ("weekdays 08:45-17:30", datetime(2026, 11, 27, 1, 0, tzinfo=UTC), True),  # Fri 10:00 JST
    ("weekdays 08:45-17:30", datetime(2026, 11, 26, 23, 40, tzinfo=UTC), False),  # Fri 08:40 JST
    ("weekdays 08:45-17:30", datetime(2026, 11, 27, 8, 30, tzinfo=UTC), False),  # Fri 17:30 JST (end excluded)
    ("weekdays 08:45-17:30", datetime(2026, 11, 28, 1, 0, tzinfo=UTC), False),  # Saturday
    ("weekdays 08:45-17:30", datetime(2026, 11, 23, 1, 0, tzinfo=UTC), False),  # 勤労感謝の日 (Mon)
    ("weekdays 08:45-17:30", datetime(2026, 12, 29, 1, 0, tzinfo=UTC), False),  # year-end closure (Tue)
    ("weekdays 08:45-17:30", datetime(2027, 1, 4, 1, 0, tzinfo=UTC), True),  # first working day (Mon)
    ("weekdays 08:45-17:30", datetime(2027, 1, 11, 1, 0, tzinfo=UTC), False),  # 成人の日
    ("weekdays 08:45-17:30; sat 09:00-12:00", datetime(2026, 11, 28, 1, 0, tzinfo=UTC), True),
    ("mon-wed 09:00-12:00", datetime(2026, 11, 26, 1, 0, tzinfo=UTC), False),  # Thursday
    ("always", datetime(2027, 1, 1, 3, 0, tzinfo=UTC), True),
    ("never", datetime(2026, 11, 27, 1, 0, tzinfo=UTC), False),
])
def test_office_hours(spec: str, moment: datetime, open_: bool) -> None:
    assert OfficeHours(spec).is_open(moment) is open_


@pytest.mark.parametrize("spec", ["", "weekdays", "weekdays 17:00-09:00", "funday 09:00-10:00", "fri-mon 09:00-10:00",
                                  "weekdays 25:00-26:00"])
def test_bad_office_hours_are_refused(spec: str) -> None:
    with pytest.raises(OfficeHoursError):
        OfficeHours(spec)


def test_hours_are_described_in_japanese() -> None:
    described = OfficeHours("weekdays 08:45-17:30").describe_ja()
    assert described == "平日の8時45分から17時30分までです。祝日と年末年始はお休みです"


def test_number_is_read_back_digit_by_digit() -> None:
    assert digits_ja("09012344790") == "ゼロ、キュウ、ゼロ、イチ、ニー、サン、ヨン、ヨン、ナナ、キュウ、ゼロ"


def test_greeting_discloses_ai_and_mentions_recording_only_when_on() -> None:
    p = Prompts(city="みらい市")
    assert "AI" in p.greeting(False) and "誤り" in p.greeting(False) and "0" in p.greeting(False)
    assert "録音" not in p.greeting(False)
    assert "録音" in p.greeting(True)


@pytest.mark.parametrize(("text", "nothing_else", "not_helpful", "yes", "no"), [
    ("ありません", True, False, False, True),
    ("大丈夫です", True, False, False, False),
    ("はい", False, False, True, False),
    ("はい、あります", False, False, True, False),
    ("いいえ", True, False, False, True),  # after 「ほかにご質問はありますか」: done
    ("よくわかりません", False, True, False, False),
    ("それじゃ解決しないです", False, True, False, False),
    ("ありがとうございました", True, False, False, False),
    ("特にありません", True, False, False, False),
    ("固定資産税の減免はありませんか", False, False, False, False),
    ("はい、住民税の納期を教えてください", False, False, False, False),
    ("違う税金について聞きたいんですがいいですか", False, False, False, False),
    ("ない", True, False, False, True),
    ("えっと、それも違くて", False, True, False, False),
])
def test_caller_phrases(text: str, nothing_else: bool, not_helpful: bool, yes: bool, no: bool) -> None:
    assert phrases.is_nothing_else(text) is nothing_else
    assert phrases.is_not_helpful(text) is not_helpful
    assert phrases.is_yes(text) is yes
    assert phrases.is_no(text) is no


@pytest.mark.parametrize(("text", "expected"), [
    ("職員", True), ("職員さん", True), ("担当の人", True), ("オペレーター", True),
    ("職員が家に来ると言われたのですが", False), ("住民税の納期", False),
])
def test_bare_staff_word_reaches_a_person(text: str, expected: bool) -> None:
    assert phrases.is_bare_staff_request(text) is expected
