"""Closed-class Japanese vocabulary the context rules need (generic words, never data-set names)."""

from __future__ import annotations

import re

# Particles, copulas, fillers, pronouns, time words: never part of a name or a place name.
FUNCTION_WORDS = frozenset(
    """は が を に で の と も へ や か ね よ な だ です でし でした ます まし た て し い ある いる
    ん そう はい ええ いえ え ー えー あ あの あのー その この えっと えーと まあ もしもし どうも
    今 今日 昨日 明日 先月 今月 来月 先週 来週 去年 来年 毎日 毎月 最近 いつも ずっと
    私 わたし 僕 ぼく 俺 あたし うち 自分 本人 ご お 様 さま さん くん ちゃん
    まだ もう ここ そこ どこ これ それ あれ だめ いや ください ない いい よい たい ほしい
    こと ため もの ところ はず よう つもり ほう とき まま 方 名前 年齢 住所 電話 番号 から まで
    って という といい 申し 申します いい ます けど けれど ので のに でも 一緒 二人 一人
    おかげ せい まえ あと なか ころ ばかり だけ くらい ぐらい ほど ごろ みたい ふう かた ほか とこ うえ した
    もちろん ありがとう すみません わかり では じゃあ""".split()
)

# Kinship and role words: 「母の宮下 トシ子」「娘は千尋」「担当：加藤」. The word itself is not a name.
KIN_WORDS = (
    "元交際相手",
    "交際相手",
    "パートナー",
    "ケアマネジャー",
    "ケアマネ",
    "おばあ様",
    "おじい様",
    "お母様",
    "お父様",
    "母親",
    "父親",
    "長男",
    "長女",
    "次男",
    "次女",
    "三男",
    "三女",
    "祖母",
    "祖父",
    "元夫",
    "元妻",
    "息子",
    "娘",
    "主人",
    "夫",
    "妻",
    "母",
    "父",
    "兄",
    "姉",
    "弟",
    "妹",
    "孫",
    "義母",
    "義父",
    "姪",
    "甥",
    "子ども",
    "子供",
    "子",
    "友人",
    "友達",
    "相手",
    "担任",
    "主治医",
)
ROLE_LABELS = (
    "相談者",
    "対象者",
    "本人",
    "加害者",
    "被害者",
    "利用者",
    "妊婦",
    "パートナー",
    "申請者",
    "世帯主",
    "担当",
    "相談員",
    "保健師",
    "通訳",
    "子",
    "夫",
    "妻",
    "母",
    "父",
    "長男",
    "長女",
    "次男",
    "次女",
)
# Staff roles written straight before a name without a separator: 「担当加藤」「相談員渡部」.
STAFF_ROLES = ("担当", "相談員", "保健師", "ケアマネ", "ケースワーカー", "支援員")

# Nouns that take さん/様 but are not names.
NOT_NAMES = frozenset(
    """大家 お母 お父 母 父 息子 娘 奥 兄 姉 弟 妹 お兄 お姉 皆 みな みなさ 相談者 利用者 職員 主治医
    担当 介護 要介護 要支援 子 お子 赤ちゃん 旦那 ご主人 ご本人 本人 お客 おばあ おじい お嬢 隣 お隣
    娘さん 息子さん 奥様 お医者 看護師 保健師 ケアマネ 相談員 ヘルパー 先生 社長 店長 大家さん 皆様
    おかあ おとう おにい おねえ ばあ じい 親御 ご家族 家族 ご両親 両親 相手 相手方 業者 担任 医師 女性 男性
    お嫁 嫁 婿 彼 彼女 お巡り 警察 弁護士 ご近所 近所 管理人 会社 お孫 孫 おば おじ 叔母 伯母 叔父 伯父
    ご相談者 お兄""".split()
)

HONORIFICS = ("さん", "様", "さま", "くん", "君", "ちゃん", "先生", "医師", "氏")
_HIRAGANA = re.compile(r"^[ぁ-ゖー]+$")
_KANA_OR_KANJI = re.compile(r"^[ぁ-ゖァ-ヺー一-龥々〆ヶ]+$")


def is_name_word(token: str) -> bool:
    """A whitespace-delimited word that could be (part of) a spoken name or place name."""
    return bool(_KANA_OR_KANJI.match(token)) and token not in FUNCTION_WORDS


def is_hiragana(token: str) -> bool:
    return bool(_HIRAGANA.match(token))


def spaced_style(line: str) -> bool:
    """ASR in the vosk style separates every word with a space."""
    words = line.split()
    return len(words) >= 4 and sum(len(w) for w in words) / len(words) <= 3.2


def spaced_document(text: str) -> bool:
    """A whole transcript in the vosk style (short lines like 「大丈夫 です」 included)."""
    words = text.split()
    return len(words) >= 6 and sum(len(w) for w in words) / len(words) <= 3.2
