"""Recognizer tables: (text, spans that must be masked) and hard negatives that must not be."""

from __future__ import annotations

import pytest

from masking.detection import PiiDetector
from masking.detection.recognizers.my_number import check_digit_ok

MASKED = [
    # My Number: valid check digit, grouped, kanji, spoken; a failing check digit with context
    ("個人番号：１０６５４９１２１０３１", "MY_NUMBER", "１０６５４９１２１０３１"),
    ("マイナンバーは9542 5550 3492です。", "MY_NUMBER", "9542 5550 3492"),
    ("個人番号 921355776016 本人記載", "MY_NUMBER", "921355776016"),
    (
        "マイ ナンバー は なな ご ゼロ いち きゅう きゅう に ゼロ よん ご さん いち です",
        "MY_NUMBER",
        "なな ご ゼロ いち きゅう きゅう に ゼロ よん ご さん いち",
    ),
    # phones in every form
    ("携帯は090-6674-2051です。", "PHONE_NUMBER", "090-6674-2051"),
    ("TEL 0276-48-3105", "PHONE_NUMBER", "0276-48-3105"),
    ("携帯 ０９０５８２７３６４１", "PHONE_NUMBER", "０９０５８２７３６４１"),
    ("連絡先 090 4418 2276", "PHONE_NUMBER", "090 4418 2276"),
    ("私の携帯で、〇九〇・四五一二・三三八七です。", "PHONE_NUMBER", "〇九〇・四五一二・三三八七"),
    (
        "電話 は ゼロ きゅう ゼロ に なな さん ろく ご いち はち ゼロ です",
        "PHONE_NUMBER",
        "ゼロ きゅう ゼロ に なな さん ろく ご いち はち ゼロ",
    ),
    # postal code, bank, insurance, e-mail
    ("〒３２１-０４５６ みらい市本町４-１８-６", "POSTAL_CODE", "３２１-０４５６"),
    (
        "さん に いち の ゼロ ゼロ ろく なな みらい 市 きたはま に ちょうめ",
        "POSTAL_CODE",
        "さん に いち の ゼロ ゼロ ろく なな",
    ),
    ("振込はゆうちょの13850-24715961です。", "BANK_ACCOUNT", "13850-24715961"),
    ("みらい銀行桜台支店の普通、2039517です。", "BANK_ACCOUNT", "2039517"),
    ("被保険者番号は0004817265です。", "INSURANCE_ID", "0004817265"),
    ("基礎年金番号は4521-803176です。", "INSURANCE_ID", "4521-803176"),
    ("保険証は記号が5102、番号が38です。", "INSURANCE_ID", "38"),
    ("hikari_room27@example.jpです。", "EMAIL_ADDRESS", "hikari_room27@example.jp"),
    (
        "ティー エー ケー アット マーク イグザンプル ドット ジェー ピー です",
        "EMAIL_ADDRESS",
        "ティー エー ケー アット マーク イグザンプル ドット ジェー ピー",
    ),
    # birth dates and ages
    ("杉浦 正雄様（S23.11.8生、75歳）", "DATE_OF_BIRTH", "S23.11.8"),
    ("荒木 哲也（H元.9.1生）", "DATE_OF_BIRTH", "H元.9.1"),
    ("生年月日は昭和52年2月19日です。", "DATE_OF_BIRTH", "昭和52年2月19日"),
    ("吉岡 浩二、1979年3月12日生まれです。", "DATE_OF_BIRTH", "1979年3月12日"),
    (
        "しょうわ にじゅう きゅう ねん じゅう がつ いつか です",
        "DATE_OF_BIRTH",
        "しょうわ にじゅう きゅう ねん じゅう がつ いつか",
    ),
    ("八十七歳です。", "AGE", "八十七歳"),
    ("ろく じゅう ご さい です", "AGE", "ろく じゅう ご さい"),
    ("はたちです。", "AGE", "はたち"),
    ("生後 よん ヶ月 です", "AGE", "生後 よん ヶ月"),
    ("相談者：西村 聡（45）", "AGE", "45"),
    # addresses, facilities, employers
    ("みらい市緑が丘1丁目4番8号 メゾン緑402号室に住んでいる", "LOCATION", "みらい市緑が丘1丁目4番8号 メゾン緑402号室"),
    (
        "みらい 市 しののめ ちょう いっ ちょうめ よん の じゅう に の アパート",
        "LOCATION",
        "みらい 市 しののめ ちょう いっ ちょうめ よん の じゅう に",
    ),
    ("実家は静岡県富士宮市ですが", "LOCATION", "静岡県富士宮市"),
    ("上の子はみらい市立北浜小学校の1年生です。", "LOCATION", "みらい市立北浜小学校"),
    ("父 が 今 さくらだい 中央 病院 に 入院", "LOCATION", "さくらだい 中央 病院"),
    ("株式会社ヤマセ運輸で倉庫の仕事をしています", "ORGANIZATION_PERSONAL", "株式会社ヤマセ運輸"),
    # names: typed, honorific, kinship, role, spoken answers
    ("相談者：桑原 美咲です。", "PERSON", "桑原 美咲"),
    ("ケアマネジャーの河合さんからも", "PERSON", "河合"),
    ("2024/07/02 電話相談（担当：加藤）", "PERSON", "加藤"),
    ("お 名前 を 伺っ て も\nいしぐろ まさひろ です", "PERSON", "いしぐろ まさひろ"),
    ("あ もしもし いのうえ です 先日 は どうも", "PERSON", "いのうえ"),
    ("わたし の 名前 は やまだ はなこ です", "PERSON", "やまだ はなこ"),
    ("えっと いとう けんじ と 申し ます", "PERSON", "いとう けんじ"),
    ("母 の ささき ふみこ が 入院 し て", "PERSON", "ささき ふみこ"),
    ("相談者：ナタリア・シルバです。", "PERSON", "ナタリア・シルバ"),
    ("相談者：名前は陽向です。", "PERSON", "陽向"),
    ("相談者：もしもし、田中です。", "PERSON", "田中"),
    # more spoken and written forms
    (
        "電話 は ゼロ きゅう ゼロ ハイフン いち に さん よん ハイフン ご ろく なな はち です",
        "PHONE_NUMBER",
        "ゼロ きゅう ゼロ ハイフン いち に さん よん ハイフン ご ろく なな はち",
    ),
    (
        "電話 は ゼロ はち ゼロ いち に さん よん ご ろく なな はち に かけ て",
        "PHONE_NUMBER",
        "ゼロ はち ゼロ いち に さん よん ご ろく なな はち",
    ),
    ("被保険者番号は0123456789です。", "INSURANCE_ID", "0123456789"),
    ("・郵便番号 3301234", "POSTAL_CODE", "3301234"),
    ("ゆうちょの記号が12340、番号が56781234です。", "BANK_ACCOUNT", "12340"),
    ("・長女（８か月）の夜泣き", "AGE", "８か月"),
    ("今 あさひ が おか に 住ん で い ます", "LOCATION", "あさひ が おか"),
    ("ひかり 市 あおば ちょう に の ご です", "LOCATION", "ひかり 市 あおば ちょう に の ご"),
    ("今はひかり市母子生活支援施設にいます。", "LOCATION", "ひかり市母子生活支援施設"),
    ("寮はさくら寮です。", "LOCATION", "さくら寮"),
    ("・パート先 スーパーまるやす のシフト減", "ORGANIZATION_PERSONAL", "スーパーまるやす"),
]

NOT_MASKED = [
    ("要 介護 さん の 認定 が あり ます", "さん"),
    ("両親も70代で、先のことが不安で。", "70代"),
    ("1歳6か月健診の案内", "1歳6か月健診"),
    ("20歳前の初診日ですね。", "20歳前"),
    ("家賃を3か月滞納していて", "3か月"),
    ("みらい市役所の福祉課に行きました。", "みらい市役所"),
    ("児童相談所と連携します。", "児童相談所"),
    ("189（児童相談所虐待対応ダイヤル）", "189"),
    ("中学2年の息子が", "中学2年"),
    ("令和6年7月19日 訪問記録", "令和6年7月19日"),
    ("手取りが18万円ほどで。", "18万円"),
    ("・今は社員寮に住む", "社員寮"),
    ("相談者：市営住宅に住んでいます。", "市営住宅"),
    ("相談者：から退寮を求められています。", "退寮"),
    ("母 さん の ご 様子 は", "さん の ご"),
    ("相談員：法テラスの無料相談は30分です。", "30分"),
]


def _masked(detector: PiiDetector, text: str, surface: str) -> set[str]:
    start = text.index(surface)
    covered = {i for s in detector.detect(text) for i in range(s.start, s.end)}
    chars = [i for i in range(start, start + len(surface)) if not text[i].isspace()]
    return {"all"} if all(i in covered for i in chars) else ({"some"} if any(i in covered for i in chars) else set())


@pytest.mark.parametrize(("text", "label", "surface"), MASKED)
def test_masked(detector: PiiDetector, text: str, label: str, surface: str) -> None:
    assert _masked(detector, text, surface) == {"all"}
    labels = {s.label for s in detector.detect(text) if s.start <= text.index(surface) < s.end}
    assert label in labels


@pytest.mark.parametrize(("text", "surface"), NOT_MASKED)
def test_hard_negatives(detector: PiiDetector, text: str, surface: str) -> None:
    assert _masked(detector, text, surface) == set()


def test_honorific_is_outside_the_name(detector: PiiDetector) -> None:
    text = "相談員：ありがとうございます、上田さん。"
    spans = detector.detect(text)
    assert [text[s.start : s.end] for s in spans] == ["上田"]


@pytest.mark.parametrize(("digits", "ok"), [("983205673214", True), ("106549121031", True), ("921355776015", False)])
def test_my_number_check_digit(digits: str, ok: bool) -> None:
    assert check_digit_ok(digits) is ok
