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
    # names: hiragana after a kinship word, hiragana full names, 4-kanji / ノ surnames, katakana
    # given names, a name after an age, staff by section, 1-kanji staff, spoken self-introduction
    ("相談者：姪のあかりのことで相談です。", "PERSON", "あかり"),
    ("・次女 すみれ（４）保育園", "PERSON", "すみれ"),
    ("相談者：こうの ますみです。", "PERSON", "こうの ますみ"),
    ("相談者：武者小路 譲（52）", "PERSON", "武者小路 譲"),
    ("対象：八ノ坪 ゆずは（9）", "PERSON", "八ノ坪 ゆずは"),
    ("相談者：祖母の角 ヨネが入院しました。", "PERSON", "角 ヨネ"),
    ("相談者：上は3歳の凪です。", "PERSON", "凪"),
    ("相談員：高齢福祉課の堀です。", "PERSON", "堀"),
    ("【相談記録】R7.3.1 来所 担当 泉", "PERSON", "泉"),
    ("わたし は ファン ティ マイ です", "PERSON", "ファン ティ マイ"),
    # ages in years and months
    ("・三男（２歳５か月）", "AGE", "２歳５か月"),
    # addresses: 郡 + 町村, 大字/字 with a bare lot number, particle-initial city, kanji numerals
    ("実家は宮城県加美郡色麻町です。", "LOCATION", "宮城県加美郡色麻町"),
    ("住所：色麻町大字四竈２０５番地", "LOCATION", "色麻町大字四竈２０５番地"),
    ("住所 青森県五所川原市金木町字朝日山４２", "LOCATION", "青森県五所川原市金木町字朝日山４２"),
    ("住所：はなみ市みどり野3丁目8番地6", "LOCATION", "はなみ市みどり野3丁目8番地6"),
    ("住所 はなみ市本町２-４ リバーサイド本町２０５", "LOCATION", "はなみ市本町２-４ リバーサイド本町２０５"),
    ("実家 は 大 町 字 川上 ご じゅう に です", "LOCATION", "大 町 字 川上 ご じゅう に"),
    # facilities: a name after the kind, new kinds, 「…という施設」
    ("今は介護付有料老人ホームやすらぎ苑にいます。", "LOCATION", "介護付有料老人ホームやすらぎ苑"),
    ("いまはシェルターあおぞらに避難しています。", "LOCATION", "シェルターあおぞら"),
    ("娘はメンタルクリニックこもれびに通院中。", "LOCATION", "メンタルクリニックこもれび"),
    ("かかりつけは どんぐり小児科です。", "LOCATION", "どんぐり小児科"),
    ("父 が あおい の 里 と いう 施設 に い ます", "LOCATION", "あおい の 里"),
    # employers: the name after the industry word, a trailing （株）
    ("相談者：かもめ水産加工で働いています。", "ORGANIZATION_PERSONAL", "かもめ水産加工"),
    ("・前職 トーヨー物流東北（株） 雇止め", "ORGANIZATION_PERSONAL", "トーヨー物流東北（株）"),
]

# Identifiers with no evaluation label: masked as ID_NUMBER (placeholder 【証明書番号N】).
ID_NUMBERS = [
    ("在留カードの番号はKX20481736PQです。", "KX20481736PQ"),
    ("在留カード ＳＴ１２３４５６７８ＡＢ", "ＳＴ１２３４５６７８ＡＢ"),
    ("パスポート番号：MZ7730415", "MZ7730415"),
    ("運転免許証の番号は 4410 9823 5567 です", "4410 9823 5567"),
    ("運転免許証番号 983205673214", "983205673214"),  # passes the My Number check digit: still a licence
    ("住民票コード：40581726394", "40581726394"),
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
    # new rules' hard negatives
    ("・1歳6か月健診 未受診", "1歳6か月健診"),
    ("いっ さい ろっ かげつ 健診 の 案内", "いっ さい ろっ かげつ 健診"),
    ("ななじゅう 代 です けど", "ななじゅう 代"),
    ("相談者：父のことなんですが。", "ことなん"),
    ("相談員：お母様はおいくつですか。", "おいくつ"),
    ("相談者：夫はいません。", "いません"),
    ("相談者：3歳の誕生日です。", "誕生日"),
    ("寮 に 住ん で い ます か", "寮"),
    ("・アルバイト先：居酒屋まる 閉店", "アル"),
    ("相談者：はい そうです。", "はい そう"),
    ("・シェルター入所希望", "入所希望"),
    ("・丸一建設勤務", "勤務"),
    ("・社員寮から退寮を求められた", "退寮"),
    ("品番 AB1234567 の部品", "AB1234567"),  # passport shape without a passport cue
    ("電話は03-1234-5678です。住民票の写しを取りました。", "住民票"),
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


@pytest.mark.parametrize(("text", "surface"), ID_NUMBERS)
def test_other_identifiers_are_masked_as_id_number(detector: PiiDetector, text: str, surface: str) -> None:
    start = text.index(surface)
    spans = [s for s in detector.detect(text) if s.start <= start < s.end]
    assert [(s.label, text[s.start : s.end]) for s in spans] == [("ID_NUMBER", surface)]


def test_id_number_has_a_placeholder_and_is_high_risk() -> None:
    from masking.anonymize import PLACEHOLDER_NAMES
    from masking.detection import ALL_LABELS, HIGH_RISK_LABELS

    assert "ID_NUMBER" in ALL_LABELS and "ID_NUMBER" in HIGH_RISK_LABELS
    assert PLACEHOLDER_NAMES["ID_NUMBER"] == "証明書番号"


def test_kanji_numeral_inside_a_place_name_stays_text() -> None:
    from masking.detection.numerals import normalize

    assert normalize("二戸市福岡字八幡下７７").text == "二戸市福岡字八幡下77"
    assert normalize("坂田二丁目11番地").text == "坂田2丁目11番地"
    assert normalize("八十七歳").text == "87歳"


def test_honorific_is_outside_the_name(detector: PiiDetector) -> None:
    text = "相談員：ありがとうございます、上田さん。"
    spans = detector.detect(text)
    assert [text[s.start : s.end] for s in spans] == ["上田"]


@pytest.mark.parametrize(("digits", "ok"), [("983205673214", True), ("106549121031", True), ("921355776015", False)])
def test_my_number_check_digit(digits: str, ok: bool) -> None:
    assert check_digit_ok(digits) is ok
