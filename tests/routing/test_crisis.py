"""The crisis layer: a table of messages that must (and must not) raise the crisis flag."""

from __future__ import annotations

import pytest

from routing.crisis import CrisisDetector, CrisisKind
from routing.errors import DirectoryError
from routing.windows import ConsultationWindow, WindowsDirectory

S, V, P, C, M = (
    CrisisKind.SUICIDE,
    CrisisKind.VIOLENCE,
    CrisisKind.PARTNER_VIOLENCE,
    CrisisKind.CHILD_DANGER,
    CrisisKind.MEDICAL,
)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("死にたい", S),
        ("もう消えたい", S),
        ("もう きえたい", S),
        ("しにたい。つかれた", S),
        ("生きてる意味がわからない", S),
        ("生きていても仕方がない気がする", S),
        ("早くお迎えが来ないかと思う毎日です", S),
        ("私がいないほうが家族は楽だと思う", S),
        ("明日なんて来なければいいのに", S),
        ("借金は自分の生命保険で返すしかない", S),
        ("介護に疲れて母と一緒に死のうかと考えた", S),
        ("リスカがやめられない", S),
        ("ＯＤしちゃった", S),
        ("I want to kill myself", S),
        ("I don't want to live anymore", S),
        ("夫に殴られている", P),
        ("彼に首を絞められた", P),
        ("旦那が包丁を持って暴れている", P),
        ("息子が父を殴っている", V),
        ("知らない人に後をつけられている", V),
        ("殺すぞと言われて逃げています", V),
        ("my husband hits me", P),
        ("子どもが虐待されているかもしれない", C),
        ("ぎゃくたい されてる こ が いる", C),
        ("おとうさんに たたかれる", C),
        ("赤ちゃんを揺さぶりそうになった", C),
        ("小さい子がベランダに出されて泣いている", C),
        ("人が倒れていて意識がない", M),
        ("呼びかけても返事がない", M),
        ("薬を大量に飲んだ", M),
        ("家が火事です", M),
    ],
)
def test_crisis_is_detected(crisis_detector: CrisisDetector, text: str, kind: CrisisKind) -> None:
    assessment = crisis_detector.assess(text)
    assert assessment.is_crisis
    assert kind in assessment.kinds
    # the emergency numbers are always offered, and only crisis lines are shown
    assert {"police-110", "kyukyu-119"} <= set(assessment.lines)


@pytest.mark.parametrize(
    ("text", "expected_lines"),
    [
        ("もう消えたい", {"kokoro-dial", "yorisoi"}),
        ("夫に殴られている", {"police-110", "dv-soudan-plus", "dv-navi-8008"}),
        ("近所で子どもが虐待されている", {"gyakutai-189"}),
        ("人が倒れている", {"kyukyu-119"}),
    ],
)
def test_crisis_lines_fit_the_kind(crisis_detector: CrisisDetector, text: str, expected_lines: set[str]) -> None:
    assert expected_lines <= set(crisis_detector.assess(text).lines)


@pytest.mark.parametrize(
    "text",
    [
        "介護保険の申請をしたい",
        "生活保護を受けたい",
        "子どもが学校に行きたがらない",
        "がっこう いきたくない",
        "夫のモラハラに悩んでいる",
        "ごみの出し方を教えて",
        "赤ちゃんの夜泣きがひどい",
        "障害福祉サービスを使いたい",
        "住居確保給付金について知りたい",
        "母の足腰が弱って転びそう",
        "制度を受けられるか知りたい",
        "殴られてはいないけど、毎日暴言を言われる",
    ],
)
def test_everyday_worries_are_not_a_crisis(crisis_detector: CrisisDetector, text: str) -> None:
    assert not crisis_detector.assess(text).is_crisis


def test_detector_refuses_a_directory_without_the_hotlines() -> None:
    only = ConsultationWindow("a", "A", "", (), "", "1", "h", "", "city", False)
    with pytest.raises(DirectoryError, match="not in the windows directory"):
        CrisisDetector(WindowsDirectory([only]))
