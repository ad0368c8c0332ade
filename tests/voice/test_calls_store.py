"""CallService on the real data layer: SQLite and PostgreSQL (idempotency, concurrency, encryption)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core.crypto import DataCipher, new_key
from voice.answerer import FaqLibraryAnswerer
from voice.calls import CallService
from voice.config import load_voice_config
from voice.errors import CallNotFound, IllegalTransition, StaleEvent
from voice.events import CallerPressed, CallerSaid, HangUp, Silence
from voice.flow import CallFlow
from voice.models import Call, Handoff, Turn
from voice.office_hours import OfficeHours


@pytest.fixture
def service(sessions: sessionmaker[Session], answerer: FaqLibraryAnswerer) -> CallService:
    flow = CallFlow(answerer, load_voice_config().flow_config(False), OfficeHours("always"))
    return CallService(flow, sessions, DataCipher(new_key()))


def test_a_call_is_recorded_with_encrypted_speech(service: CallService, sessions: sessionmaker[Session]) -> None:
    service.start("CA1", caller="+81312345678")
    handled = service.handle("CA1", CallerSaid("住民税の納期はいつですか", 0.92), seq=2)
    assert handled.seq == 2 and handled.state.value == "follow_up"
    with sessions() as s:
        call = s.scalar(select(Call).where(Call.call_sid == "CA1"))
        assert call is not None and call.answers == 1 and call.caller_enc and b"+8131" not in call.caller_enc
        turn = s.scalar(select(Turn).where(Turn.call_id == call.id, Turn.seq == 2))
        assert turn is not None and turn.faq_id == "JUMIN-001" and turn.decision == "answer"
        assert turn.text_enc and service.cipher.decrypt_text(turn.text_enc) == "住民税の納期はいつですか"
        assert turn.confidence == pytest.approx(0.92) and turn.score is not None


def test_replay_returns_the_stored_reply(service: CallService) -> None:
    service.start("CA2")
    first = service.handle("CA2", CallerPressed("0"), seq=2)
    again = service.handle("CA2", CallerPressed("0"), seq=2)
    assert again.replayed and again.actions == first.actions and again.handoff_id == first.handoff_id
    assert service.start("CA2").replayed


def test_events_out_of_order_are_refused(service: CallService) -> None:
    service.start("CA3")
    with pytest.raises(StaleEvent):
        service.handle("CA3", Silence(), seq=5)
    with pytest.raises(CallNotFound):
        service.handle("CAnope", Silence(), seq=2)


def test_events_after_the_end_raise_but_a_late_hangup_is_harmless(service: CallService) -> None:
    service.start("CA4")
    service.handle("CA4", CallerSaid("住民税の納期はいつですか"), seq=2)
    service.handle("CA4", CallerSaid("ありません"), seq=3)
    assert service.handle("CA4", HangUp()).replayed
    with pytest.raises(IllegalTransition):
        service.handle("CA4", Silence(), seq=4)


def test_concurrent_retries_of_one_webhook_store_one_turn(service: CallService,
                                                          sessions: sessionmaker[Session]) -> None:
    service.start("CA5")
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _i: service.handle("CA5", CallerPressed("0"), seq=2), range(6)))
    assert len({tuple(r.actions) for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Turn)) == 2
        assert s.scalar(select(func.count()).select_from(Handoff)) == 1
