"""is_human_request: requests for a person, and look-alikes that are tax questions."""

from __future__ import annotations

import pytest

from faq import is_human_request


@pytest.mark.parametrize(
    "text",
    [
        "人と話したいです。",
        "オペレーターにつないでください",
        "おぺれーたー お願い",
        "えーと、機械じゃなくて、職員の人に代わってもらえる？",
        "担当 の 方 に つない で ください",
        "担当者と話せますか",
        "もういいから人間出してよ",
        "すみません、窓口の人と直接お話ししたいんですが。",
        "係りの人お願いします",
        "よく分からないので誰か詳しい人に代わってください。",
        "たんとうしゃ に かわって",
        "スタッフと話したい",
        "誰か分かる人いませんか",
        "ＡＩじゃ分からない",
    ],
)
def test_requests_for_a_person(text: str) -> None:
    assert is_human_request(text)


@pytest.mark.parametrize(
    "text",
    [
        "夜や土日でも職員に電話はつながりますか",
        "家を建てたら市の職員が調査に来ると聞きました",
        "市役所の保険課って人から電話があった",
        "家族の課税証明書を代わりに取りに行きたい",
        "代理の人が証明書を請求するには委任状が必要ですか",
        "会社の人に証明書を取ってきてもらいたい",
        "住民税の納期はいつですか",
        "",
    ],
)
def test_not_requests(text: str) -> None:
    assert not is_human_request(text)
