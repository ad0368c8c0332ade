"""Normalization tables: width, fillers, ASR spacing, numerals, polite endings, readings, synonyms."""

from __future__ import annotations

import pytest

from faq.analysis import Analyzer
from faq.normalize import join_asr_spacing, kanji_to_int, normalize_text, remove_fillers, strip_polite_endings
from faq.phonetic import phonetic_key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # NFKC and width
        ("ＰａｙＰａｙで払いたい", "paypayで払いたい"),
        ("ｼﾞｭｳﾐﾝｾﾞｲ", "ジュウミンゼイ"),
        ("１２月の納期", "12月の納期"),
        ("コンビニ〜", "コンビニー"),
        # fillers, only where they stand alone
        ("えー 市民 税 の 納期", "市民税の納期"),
        ("えーと、あのー、住民税の通知", "住民税の通知"),
        ("あの人に聞いた", "あの人に聞いた"),
        ("その分の住民税", "その分の住民税"),
        # ASR spacing; ASCII words keep theirs
        ("軽 自動 車 税 の 支払い 期限", "軽自動車税の支払い期限"),
        ("d払い や au pay", "d払いやau pay"),
        # kanji numerals before a counter
        ("五 月 の 末", "5月の末"),
        ("十 三 年 たっ た", "13年たった"),
        ("一緒に払う", "一緒に払う"),
        ("二重に払った", "二重に払った"),
        # polite endings
        ("住民税の納期を教えていただけますでしょうか", "住民税の納期を教えて"),
        ("証明書がほしいんですけど", "証明書がほしい"),
        ("納付書を送ってもらえますか", "納付書を送って"),
        ("いいえ", "いいえ"),
        ("", ""),
        ("、。？", ""),
    ],
)
def test_normalize_text(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" えー 住民税 ", "住民税"),
        (" えっと 市民税 ", "市民税"),
        (" あのね 固定 ", "固定"),
        (" あのね固定 ", "あのね固定"),
    ],
)
def test_remove_fillers(text: str, expected: str) -> None:
    assert remove_fillers(text).strip() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("住民 税 の 納期", "住民税の納期"), ("visa カード", "visaカード"), ("au pay で", "au payで")],
)
def test_join_asr_spacing(text: str, expected: str) -> None:
    assert join_asr_spacing(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("教えてください", "教えて"),
        ("払えますか", "払え"),
        ("お願いします", "お願いします"),
        ("出したのかしら", "出した"),
    ],
)
def test_strip_polite_endings(text: str, expected: str) -> None:
    assert strip_polite_endings(text) == expected


@pytest.mark.parametrize(
    ("numeral", "value"), [("十三", 13), ("二〇二五", 2025), ("百二十", 120), ("三千", 3000), ("十十", None)]
)
def test_kanji_to_int(numeral: str, value: int | None) -> None:
    assert kanji_to_int(numeral) == value


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # vowel length, gemination and spelling variants meet
        ("チョウシュウ", "チョウシュ"),
        ("メッシツ", "メシツ"),
        ("じゅうみんぜい", "ジューミンゼイ"),
        ("ヂ", "ジ"),
    ],
)
def test_phonetic_key_merges(a: str, b: str) -> None:
    assert phonetic_key(a) == phonetic_key(b)


@pytest.mark.parametrize(("a", "b"), [("ゼイ", "セイ"), ("コテイ", "コクホ")])
def test_phonetic_key_keeps_apart(a: str, b: str) -> None:
    assert phonetic_key(a) != phonetic_key(b)


@pytest.mark.parametrize(
    ("heard", "meant"),
    [
        # homophone misrecognitions have the reading of the real term
        ("農婦書", "納付書"),
        ("特別聴取", "特別徴収"),
        ("しみん勢", "市民税"),
        ("こていしさんぜい", "固定資産税"),
        ("重乱", "縦覧"),
        ("刺し押さえ", "差押え"),
    ],
)
def test_readings_of_misrecognitions(analyzer: Analyzer, heard: str, meant: str) -> None:
    assert analyzer.reading_key(heard) == analyzer.reading_key(meant)


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("市県民税の納期", "住民税の納期"),
        ("国保の加入", "国民健康保険税の加入"),
        ("原チャリの登録", "原付の登録"),
        ("ローソンで払う", "コンビニで払う"),
        # a kana or homophone spelling of a variant reaches the same concept through its reading
        ("しみんぜいの納期", "住民税の納期"),
        ("しみん勢の納期", "住民税の納期"),
    ],
)
def test_synonyms_meet(analyzer: Analyzer, variant: str, canonical: str) -> None:
    a, b = analyzer.analyze(variant), analyzer.analyze(canonical)
    assert a.reading == b.reading
    assert a.topics == b.topics


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        ("固定資産税の納期", {"固定資産税"}),
        ("都市計画税の税率", {"固定資産税"}),
        ("市民税と軽自動車税", {"住民税", "軽自動車税"}),
        ("納付書をなくした", set()),
    ],
)
def test_topics(analyzer: Analyzer, text: str, topics: set[str]) -> None:
    assert analyzer.analyze(text).topics == topics


def test_unjoined_kanji_run_contributes_onyomi(analyzer: Analyzer) -> None:
    """遠隊金 (a misrecognition of 延滞金) is read トオタイキン by the tokenizer; its on'yomi エンタイキン
    is added, so it shares the 延滞金 concept."""
    heard = analyzer.analyze("遠隊金")
    meant = analyzer.analyze("延滞金")
    shared = set(heard.features) & set(meant.features)
    assert any(term.startswith("r:") for term in shared)
