"""The routing decision merges the crisis layer and Rasa's intent ranking (typed inputs, no server)."""

from __future__ import annotations

import pytest

from routing.crisis import CrisisDetector
from routing.decision import Router
from routing.rasa_client import BotMessage, IntentScore, NluResult, RasaClient
from routing.windows import NeedMap, WindowsDirectory


class UnreachableRasa(RasaClient):
    """The decision's combine() never calls the server; these tests only exercise combine()."""

    def parse(self, text: str) -> NluResult:
        raise AssertionError("not used")

    def message(self, sender_id: str, text: str) -> list[BotMessage]:
        raise AssertionError("not used")

    def is_up(self) -> bool:
        return False


def nlu(*ranking: tuple[str, float]) -> NluResult:
    scores = tuple(IntentScore(name, confidence) for name, confidence in ranking)
    return NluResult(intent=scores[0], ranking=scores)


@pytest.fixture
def router(needs: NeedMap, crisis_detector: CrisisDetector) -> Router:
    return Router(UnreachableRasa(), needs, crisis_detector)


def test_windows_follow_the_intent_ranking(router: Router, crisis_detector: CrisisDetector) -> None:
    decision = router.combine(
        crisis_detector.assess("母の介護のこと"),
        nlu(("elderly_care", 0.7), ("guardianship", 0.2), ("disability", 0.1)),
    )
    assert decision.windows == ("chiiki-houkatsu", "kouken-center", "kikan-soudan")
    assert not decision.crisis and not decision.crisis_lines
    assert decision.intent == "elderly_care"


def test_a_need_contributes_its_secondary_windows(router: Router, crisis_detector: CrisisDetector) -> None:
    decision = router.combine(crisis_detector.assess("x"), nlu(("public_assistance", 0.9), ("school", 0.1)))
    assert decision.windows[:2] == ("seikatsu-hogo", "jiritsu-soudan")


def test_out_of_scope_gets_no_windows(router: Router, crisis_detector: CrisisDetector) -> None:
    decision = router.combine(crisis_detector.assess("ごみの日"), nlu(("out_of_scope", 0.8), ("elderly_care", 0.2)))
    assert decision.windows == ()
    assert decision.out_of_scope


def test_fallback_pseudo_intent_is_ignored(router: Router, crisis_detector: CrisisDetector) -> None:
    decision = router.combine(
        crisis_detector.assess("x"), nlu(("nlu_fallback", 0.3), ("hikikomori", 0.25), ("school", 0.2))
    )
    assert decision.windows[0] == "hikikomori"


def test_vague_message_asks_for_clarification(router: Router, crisis_detector: CrisisDetector) -> None:
    decision = router.combine(crisis_detector.assess("相談したいです"), nlu(("unclear", 0.9), ("parenting", 0.1)))
    assert decision.windows == ()
    assert decision.needs_clarification


def test_handover_goes_to_the_all_round_center(router: Router, crisis_detector: CrisisDetector) -> None:
    decision = router.combine(crisis_detector.assess("職員と話したい"), nlu(("request_staff", 0.95)))
    assert decision.windows == ("chukaku-center",)


def test_crisis_is_flagged_even_when_the_classifier_says_out_of_scope(
    router: Router, crisis_detector: CrisisDetector
) -> None:
    decision = router.combine(crisis_detector.assess("もう消えたい"), nlu(("out_of_scope", 0.9)))
    assert decision.crisis
    assert decision.windows == ("seishin-hoken",)
    assert decision.crisis_lines[:1] == ("kyukyu-119",)
    assert "kokoro-dial" in decision.crisis_lines


def test_suicidal_message_lifts_the_mental_health_center(router: Router, crisis_detector: CrisisDetector) -> None:
    decision = router.combine(crisis_detector.assess("死にたい"), nlu(("welfare_loan", 0.45), ("mental_health", 0.1)))
    assert decision.windows[0] == "seishin-hoken"


def test_partner_violence_lifts_the_dv_center(router: Router, crisis_detector: CrisisDetector) -> None:
    decision = router.combine(crisis_detector.assess("夫に殴られている"), nlu(("child_welfare", 0.4)))
    assert decision.windows[0] == "dv-center"
    assert {"dv-soudan-plus", "police-110"} <= set(decision.crisis_lines)


def test_an_unsure_out_of_scope_still_offers_the_welfare_need(router: Router, crisis_detector: CrisisDetector) -> None:
    # the classifier barely prefers "out of scope" over a welfare need: the resident still sees windows
    unsure = router.combine(
        crisis_detector.assess("施設のこと"), nlu(("out_of_scope", 0.15), ("elderly_care", 0.12), ("school", 0.05))
    )
    assert not unsure.out_of_scope
    assert unsure.windows[0] == "chiiki-houkatsu"
    sure = router.combine(crisis_detector.assess("ごみの日"), nlu(("out_of_scope", 0.6), ("elderly_care", 0.3)))
    assert sure.out_of_scope and sure.windows == ()


def test_in_a_crisis_the_cards_carry_welfare_windows_not_110_again(
    router: Router, crisis_detector: CrisisDetector
) -> None:
    assessment = crisis_detector.assess("同居の息子が父を殴っている")
    decision = router.combine(assessment, nlu(("police_emergency", 0.6), ("elderly_care", 0.3), ("hikikomori", 0.1)))
    assert "police-110" in decision.crisis_lines  # shown first, in the crisis block
    assert "police-110" not in decision.windows
    assert decision.windows[0] == "chiiki-houkatsu"
    # without a crisis the police window is an ordinary recommendation
    calm = router.combine(crisis_detector.assess("近所で不審者を見た"), nlu(("police_emergency", 0.9), ("school", 0.1)))
    assert calm.windows[0] == "police-110"


def test_an_unsure_out_of_scope_reply_says_so_and_names_the_general_line(
    router: Router, crisis_detector: CrisisDetector, directory: WindowsDirectory
) -> None:
    from routing.chat import compose_texts
    from routing.rasa_client import BotMessage

    decision = router.combine(
        crisis_detector.assess("施設のこと"), nlu(("out_of_scope", 0.15), ("elderly_care", 0.12), ("school", 0.05))
    )
    assert decision.unsure_out_of_scope
    dialogue = [BotMessage(text="このチャットは福祉の相談窓口を案内するものです。", buttons=())]
    texts, buttons = compose_texts(decision, dialogue, directory)
    assert texts == [texts[0]] and "はっきり分かりませんでした" in texts[0]
    assert "みらい市役所 総合案内（代表電話）（000-0000-0000）" in texts[0]
    assert buttons == ()
    # a sure out-of-scope keeps Rasa's own reply
    sure = router.combine(crisis_detector.assess("ごみの日"), nlu(("out_of_scope", 0.9), ("elderly_care", 0.05)))
    assert compose_texts(sure, dialogue, directory)[0] == ["このチャットは福祉の相談窓口を案内するものです。"]
