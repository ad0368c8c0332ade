from __future__ import annotations

import pytest

from masking.detection.numerals import normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ゼロ はち ゼロ の ご ご に いち の きゅう ゼロ なな さん です", "080 の 5521 の 9073 です"),
        ("〇九〇・四五一二・三三八七", "090・4512・3387"),
        ("〇 八 〇 の 六 二 一 九", "080 の 6219"),
        ("０７０-１９４８-６６３２", "070-1948-6632"),
        ("ご じゅう いっ さい です", "51 歳 です"),
        ("八十七歳", "87歳"),
        ("はたち です", "20歳 です"),
        ("しょうわ にじゅう きゅう ねん じゅう がつ いつか", "昭和 29 年 10 月 5日"),
        ("たいしょう じゅう よ ねん ご がつ ふつか", "大正 14 年 5 月 2日"),
        ("ご せん とんで はち", "5008"),
        ("6万2千円", "62000円"),
        ("きたはま ご ちょうめ じゅう よん の さん", "きたはま 5 丁目 14 の 3"),
        # hard negatives: particles and honorifics that sound like digits stay text
        ("要 介護 さん", "要 介護 さん"),
        ("いのうえ さん お 母様", "いのうえ さん お 母様"),
        ("相談 し ます", "相談 し ます"),
        ("千葉県船橋市", "千葉県船橋市"),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text).text == expected


@pytest.mark.parametrize(
    ("text", "needle", "original"),
    [
        ("電話 は ゼロ はち ゼロ の いち です", "080", "ゼロ はち ゼロ"),
        ("携帯は〇九〇・四五一二です", "090・4512", "〇九〇・四五一二"),
        ("ご じゅう いっ さい", "51", "ご じゅう いっ"),
        ("全角０７０です", "070", "０７０"),
    ],
)
def test_offset_map_lands_on_original_text(text: str, needle: str, original: str) -> None:
    norm = normalize(text)
    start = norm.text.index(needle)
    a, b = norm.to_original(start, start + len(needle))
    assert text[a:b] == original
