"""Scripted calls through signed webhooks (real RequestValidator, real FAQ matcher, real SQLite)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from faq import load_kb
from tests.voice.conftest import KB_PATH, AppFactory
from tests.voice.gather_harness import PUBLIC_BASE, TwilioCall, sign
from voice.models import Call, Handoff, Turn
from voice.wiring import VoiceRuntime

KB = load_kb(KB_PATH)
ANSWER = KB["JUMIN-001"].answer_voice
TAX_LINE = "+81300001000"  # 税務総務課, voice/data/voice.yaml
CITIZEN_TAX = "+81300001001"  # 市民税課

NewCall = Callable[[str], TwilioCall]


def record(client: TestClient, sid: str) -> Call:
    with client.app.state.db_sessions() as s:  # type: ignore[attr-defined]
        call = s.scalar(select(Call).where(Call.call_sid == sid))
        assert call is not None
        return call


def handoffs(client: TestClient, sid: str) -> list[Handoff]:
    with client.app.state.db_sessions() as s:  # type: ignore[attr-defined]
        return list(s.scalars(select(Handoff).join(Call).where(Call.call_sid == sid).order_by(Handoff.id)))


def runtime(client: TestClient) -> VoiceRuntime:
    rt: VoiceRuntime = client.app.state.voice  # type: ignore[attr-defined]
    return rt


def test_greeting_discloses_ai_and_listens_with_faq_hints(new_call: NewCall) -> None:
    greeting = new_call("CAgreet").start()
    assert greeting.status == 200
    assert "AI自動応答" in greeting.said and "誤り" in greeting.said and "職員" in greeting.said
    assert "録音" not in greeting.said  # recording is off by default
    gather = greeting.gather
    assert gather is not None and gather.get("language") == "ja-JP" and gather.get("input") == "dtmf speech"
    assert gather.get("hints") and gather.get("action", "").startswith(PUBLIC_BASE + "/voice/gather?seq=2")


def test_recording_notice_and_recording_when_recording_is_on(make_app: AppFactory) -> None:
    with TestClient(make_app(recording=True)) as client:
        call = TwilioCall(client, "CArec")
        greeting = call.start()
        assert "録音" in greeting.said
        [rec] = greeting.all("Recording")
        assert rec.get("track") == "both" and rec.get("recordingStatusCallback") == PUBLIC_BASE + "/voice/recording"
        assert not call.say("住民税の納期はいつですか").all("Recording")  # started once
        done = call.post("/voice/recording", dict(call.base_form(), RecordingSid="RE" + "1" * 32,
                                                  RecordingStatus="completed"))
        assert done.status_code == 204
        assert record(client, "CArec").recording_sid == "RE" + "1" * 32


def test_no_recording_when_recording_is_off(new_call: NewCall) -> None:
    assert not new_call("CAnorec").start().all("Recording")


def test_answered_then_goodbye_resolves_the_call(client: TestClient, new_call: NewCall) -> None:
    call = new_call("CAanswer")
    call.start()
    reply = call.say("住民税の納期はいつですか")
    assert ANSWER in reply.said and reply.said.endswith("ほかにご質問はありますか。")
    assert reply.transferred_to is None and reply.gather is not None
    bye = call.say("ありません、大丈夫です")
    assert bye.hangs_up and "ありがとうございました" in bye.said
    row = record(client, "CAanswer")
    assert (row.outcome, row.state, row.answers) == ("resolved", "ended", 1) and row.ended_at is not None
    assert handoffs(client, "CAanswer") == []


def test_dtmf_9_repeats_the_answer(new_call: NewCall) -> None:
    call = new_call("CArepeat")
    call.start()
    first = call.say("住民税の納期はいつですか")
    again = call.press("9")
    assert again.said == first.said
    assert again.gather is not None


@pytest.mark.parametrize(("sid", "script", "reason", "number"), [
    ("CAhuman", [("say", "機械じゃなくて担当の方と直接お話ししたいんですが")], "human_request", TAX_LINE),
    ("CAzero", [("press", "0")], "dtmf_zero", TAX_LINE),
    ("CAmiss", [("say", "ごみの収集日を教えて"), ("say", "図書館の本の返却はどうすればいい")],
     "misses", TAX_LINE),
    ("CAsilent", [("silence", ""), ("silence", "")], "silence", TAX_LINE),
    ("CAfaq", [("say", "私の住民税の税額の計算の内訳を教えてほしい")], "transfer_faq", CITIZEN_TAX),
    ("CAunhelpful", [("say", "住民税の納期はいつですか"), ("say", "よくわかりません")], "not_helpful", None),
])
def test_transfers(client: TestClient, new_call: NewCall, sid: str, script: list[tuple[str, str]], reason: str,
                   number: str | None) -> None:
    call = new_call(sid)
    call.start()
    for kind, value in script:
        reply = {"say": call.say, "press": call.press, "silence": lambda _v: call.silence()}[kind](value)
    assert reply.transferred_to is not None, reply.body
    if number:
        assert reply.transferred_to == number
    [handoff] = handoffs(client, sid)
    assert (handoff.kind, handoff.reason, handoff.status) == ("transfer", reason, "open")
    row = record(client, sid)
    assert (row.state, row.outcome) == ("transferring", "transferred")
    # the staff member hears the caller's question in one sentence before being connected
    number_el = reply.all("Number")[0]
    whisper = call.post(number_el.get("url", ""), dict(call.base_form(), CallSid="CAchildleg"))
    assert whisper.status_code == 200 and "AI自動応答からの転送です" in whisper.text
    # the call ends when the dialled leg completes
    done = call.transfer_result("completed")
    assert done.hangs_up
    assert (record(client, sid).outcome, record(client, sid).state) == ("transferred", "ended")


def test_whisper_carries_the_question(client: TestClient, new_call: NewCall) -> None:
    call = new_call("CAwhisper")
    call.start()
    call.say("ごみの収集日を教えて")
    reply = call.say("固定資産税のことで職員と話したい")
    url = reply.all("Number")[0].get("url", "")
    whisper = call.post(url, dict(call.base_form(), CallSid="CAchild"))
    assert "ごみ" in whisper.text  # the last question the bot tried to answer


def test_handoff_keeps_the_transcript_and_candidates_encrypted(client: TestClient, new_call: NewCall) -> None:
    call = new_call("CAtranscript")
    call.start()
    call.say("ごみの収集日を教えて")
    call.say("図書館の本の返却はどうすればいい")
    [handoff] = handoffs(client, "CAtranscript")
    cipher = runtime(client).cipher
    assert handoff.transcript_enc is not None and b"\xe9\xa7\x90" not in handoff.transcript_enc  # 駐 not in clear
    assert json.loads(cipher.decrypt_text(handoff.transcript_enc)) == [
        "ごみの収集日を教えて", "図書館の本の返却はどうすればいい"]
    assert handoff.question_enc and cipher.decrypt_text(handoff.question_enc) == "図書館の本の返却はどうすればいい"
    assert isinstance(json.loads(handoff.candidates), list)


def test_unanswered_transfer_offers_a_callback(client: TestClient, new_call: NewCall) -> None:
    call = new_call("CAbusy")
    call.start()
    call.press("0")
    offer = call.transfer_result("no-answer")
    assert "電話に出られません" in offer.said and offer.gather is not None
    assert call.press("2").hangs_up
    assert record(client, "CAbusy").outcome == "unresolved"


def test_out_of_hours_callback_is_read_back_confirmed_and_lands_in_the_inbox(make_app: AppFactory) -> None:
    with TestClient(make_app(office_hours="never")) as client:
        call = TwilioCall(client, "CAnight")
        call.start()
        closed = call.press("0")
        assert "職員におつなぎできません" in closed.said and "折り返し" in closed.said and closed.transferred_to is None
        ask = call.press("1")
        assert "シャープ" in ask.said and ask.gather is not None and ask.gather.get("finishOnKey") == "#"
        wrong = call.press("0312345678")
        assert "ゼロ、サン、イチ、ニー、サン、ヨン、ゴー、ロク、ナナ、ハチ" in wrong.said
        call.press("2")  # re-enter
        assert "エラー" not in call.press("123").said  # too short: asked again
        readback = call.press("09012345678")
        assert "ゼロ、キュウ、ゼロ" in readback.said
        done = call.press("1")
        assert done.hangs_up and "折り返し" in done.said
        [handoff] = handoffs(client, "CAnight")
        assert (handoff.kind, handoff.reason, handoff.status) == ("callback", "dtmf_zero", "open")
        assert handoff.callback_number_enc is not None
        assert runtime(client).cipher.decrypt_text(handoff.callback_number_enc) == "09012345678"
        assert record(client, "CAnight").outcome == "callback"


def test_hang_up_mid_flow_closes_the_record(client: TestClient, new_call: NewCall) -> None:
    call = new_call("CAgone")
    call.start()
    assert call.hang_up().status_code == 204
    row = record(client, "CAgone")
    assert (row.state, row.outcome) == ("ended", "abandoned") and row.ended_at is not None
    assert call.hang_up().status_code == 204  # Twilio may send the status twice
    answered = new_call("CAgone2")
    answered.start()
    answered.say("住民税の納期はいつですか")
    answered.hang_up()
    assert record(client, "CAgone2").outcome == "resolved"


def test_bad_signature_is_refused(client: TestClient, new_call: NewCall) -> None:
    call = new_call("CAforged")
    assert call.post("/voice/incoming", call.base_form(), good_signature=False).status_code == 403
    # signed for the URL the app sees internally instead of the public one
    form = call.base_form()
    forged = client.post("/voice/incoming", data=form,
                         headers={"X-Twilio-Signature": sign("http://testserver/voice/incoming", form)})
    assert forged.status_code == 403
    assert client.post("/voice/incoming", data=form).status_code == 403  # no signature at all
    with client.app.state.db_sessions() as s:  # type: ignore[attr-defined]
        assert s.scalar(select(func.count()).select_from(Call)) == 0


def test_replayed_webhooks_do_not_duplicate_turns(client: TestClient, new_call: NewCall) -> None:
    call = new_call("CAretry")
    greeting = call.start()
    assert call.start().body == greeting.body  # incoming retried
    url = call.next_url
    assert url is not None
    form = dict(call.base_form(), SpeechResult="職員と話したい", Confidence="0.9")
    first = call.post(url, form)
    second = call.post(url, form)
    assert first.status_code == second.status_code == 200 and first.text == second.text
    assert len(handoffs(client, "CAretry")) == 1
    with client.app.state.db_sessions() as s:  # type: ignore[attr-defined]
        seqs = list(s.scalars(select(Turn.seq).join(Call).where(Call.call_sid == "CAretry").order_by(Turn.seq)))
    assert seqs == [1, 2]
    assert record(client, "CAretry").turns == 2


def test_logs_carry_no_caller_speech_or_number(new_call: NewCall, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    call = new_call("CAlogs")
    call.caller = "+819011112222"
    call.start()
    call.say("山田と申しますが住民税の納期はいつですか")
    call.press("0")
    text = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "CAlogs" in text  # the records are there …
    assert "山田" not in text and "9011112222" not in text and "納期" not in text  # … without what was said


def test_an_event_for_an_unknown_or_finished_call_gets_a_polite_goodbye(new_call: NewCall) -> None:
    stray = new_call("CAnever")
    stray.next_url = "/voice/gather?seq=2"
    reply = stray.say("住民税の納期はいつですか")
    assert reply.status == 200 and reply.hangs_up and "申し訳ありません" in reply.said
    call = new_call("CAfuture")
    call.start()
    call.next_url = "/voice/gather?seq=7"  # not the next event
    reply = call.say("住民税の納期はいつですか")
    assert reply.status == 200 and reply.hangs_up
