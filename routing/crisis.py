"""The crisis layer: keyword and pattern rules that run before, and independent of, the classifier.

High recall on purpose: a resident who writes もう消えたい or 殴られている must see the
emergency numbers and the right hotlines first, every time, whatever the Rasa model thinks.
A false alarm costs one extra card; a miss can cost a life.
"""

from __future__ import annotations

import enum
import functools
import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from routing.errors import DirectoryError
from routing.windows import WindowsDirectory


class CrisisKind(enum.Enum):
    SUICIDE = "suicide"  # 自殺念慮・自傷
    VIOLENCE = "violence"  # 今起きている暴力・身の危険
    PARTNER_VIOLENCE = "partner_violence"  # その暴力が配偶者・交際相手から（DV）
    CHILD_DANGER = "child_danger"  # 子どもの虐待・危険
    MEDICAL = "medical"  # 意識がない・大量服薬などの急病


@dataclass(frozen=True)
class CrisisRule:
    kind: CrisisKind
    pattern: re.Pattern[str]


def _rule(kind: CrisisKind, *alternatives: str) -> CrisisRule:
    return CrisisRule(kind, re.compile("|".join(alternatives)))


# "殴られてはいないけど" is not a report of violence: skip a verb followed by a negation.
_NOT_NEGATED = r"(?!て(は|も)?い(ない|ません)|て(は)?ない|たことは(ない|ありません))"

# Patterns run on NFKC-normalised, lower-cased text with all whitespace removed
# (やさしい日本語 puts spaces between words: 「しに たい」).
RULES: tuple[CrisisRule, ...] = (
    _rule(
        CrisisKind.SUICIDE,
        r"死にたい|しにたい|シニタイ|死のう|しのうかな|死んでしまお|死んでしまいたい|死んだほうが|しんだほうが",
        r"死ねたら|しねたら|死ぬしか|しぬしか|死ぬつもり|一緒に死|いっしょにしの|心中",
        r"消えたい|きえたい|消えてしまいたい|消えてなくなりたい|いなくなりたい|居なくなりたい",
        r"生きていても仕方|生きてても仕方|生きてる意味|生きている意味|生きる意味(が|も)?(ない|わから)",
        r"生きていたくない|生きてたくない|生きたくない|生きるのをやめ|いきているいみ",
        r"いきていたくない|いきてたくない|いきるのをやめ|いきていてもしかた|いきるいみ(が|も)?(ない|わから)",
        r"自殺(?!で|した|の遺|遺族|対策|予防|防止|統計|について|ゲートキーパー)|じさつ(?!で|した|のい|いぞく|たいさく|よぼう|ぼうし|とうけい|について|げーと)|自死(?!遺族|で)|命を絶(?!った|ちました|たれ)|いのちをた(ちたい|とう|つ(?!た))",
        r"お迎えが来|おむかえがき|首を[吊つ]|首つり|くびをつ|首吊|飛び降り|とびおり|電車に飛び込",
        r"リストカット|リスカ(?!してた時期|してた頃)|od(?:し|する)|遺書|いしょをか",
        r"(私|わたし|自分|僕|俺)が?いない方が|(私|わたし|自分|僕|俺)が?いないほうが|いなくなれば(みんな|楽)",
        r"明日(なんか|なんて)?(が)?来なければ|目が覚めなければ|目覚めなければ|保険金で(返|払)|生命保険で(返|払)",
        r"(終わり|おわり)にしたい|人生を終わら|じんせいをおわら|楽になりたい|らくになりたい",
        # indirect: ending it today, wishing never to have been born, being tired of living, stockpiling pills
        r"(終わり|おわり)にする|今日で(終わり|おわり)|全部(終わら|おわら)せ|この世(から|に)(い|消|きえ)",
        r"生まれてこなければ|うまれてこなければ|死んだら楽|死ねば楽|しねばらく|死に場所|しにばしょ",
        r"生きる(の|こと)(が|に)(つら|辛|しんど|疲れ|つかれ)|いきるのが(つら|しんど)",
        r"いなくなれたら|消えられたら|消えてしまえば|消えちゃいたい|きえちゃいたい|消えたくな",
        r"(薬|くすり|睡眠薬)を(ため|貯め|溜め|集め|あつめ)|練炭|身辺整理",
        r"enditall|takemy(own)?life|can'?tgoon|nopointinliving|nopointliving",
        # slang, dialect and plain-spoken forms: しにたみ, 消えたすぎ, 目ぇ覚めへんかったら, 生きてるのが嫌
        r"しにた(み|す|ぃ)|死にた(み|す|ぃ)|きえた(すぎ|み)|消えた(すぎ|み)",
        r"(目|め)ぇ?(が)?(覚め|さめ)(へん|ない|なかっ|ん)(かった|けれ)?(ら|ば)",
        r"(生|い)[きぎ][てで](い)?るの(が|も)(嫌|いや|やん|つら|辛|しんど)|(いなく|いねぐ|いなぐ)なった(ほう|方)が",
        r"(今日こそ|もう|ぜんぶ|全部|人生|いのち|命).{0,4}(終わら|おわら)せ",
        # preparing the means: a method looked up, pills saved or lined up, a rope
        r"(死に方|しにかた|死ぬ方法|しぬほうほう|楽に死|らくにし|くびつ(る|り)|首吊(る|り)|首つ(る|り)).{0,10}(調べ|しらべ|検索|やりかた|やり方)?",
        r"(ため|貯め|溜め)てお?いた(薬|くすり)|(薬|くすり)を.{0,6}(全部|ぜんぶ)(飲|の)|(ロープ|縄|なわ)(を)?(買|用意|準備)|ドアノブで",
        r"(今まで|いままで|みんな).{0,15}(ありがと).{0,20}(さよなら|さようなら|ばいばい|バイバイ)",
        r"pills?linedup|textedme(goodbye|bye)|saidgoodbye|(goingto|gonna|wantto)jump|jumpoff|can'?tdothisanymore",
        # giving belongings away "because I won't need them"; standing somewhere high or on the tracks now
        r"(自分|じぶん|私|わたし)には(もう)?(必要|ひつよう)(ない|なくな)|もう(必要|ひつよう)なくなる|形見",
        r"(屋上|おくじょう|線路|せんろ|ホームの(端|はし)|橋の上|はしのうえ|崖|がけ)(に|の上|のうえ|で)?(いま|今|い(る|ます)|おる|おります|立|来|き(た|ました))",
        r"kill(ing)?myself|suicid(?!eprevention|erate|statistic)|wanttodie|don'?twanttolive|endmylife|noreasontolive|betteroffwithoutme",
        r"nobodywouldnoticeifidisappeared|wanttodisappear",
    ),
    _rule(
        CrisisKind.VIOLENCE,
        r"(殴られ|なぐられ|叩かれ|たたかれ|蹴られ|ぶたれ|暴力を(振る|ふる)われ)" + _NOT_NEGATED,
        r"殴ってく|殴って(い|る)|なぐって(い|る|く)",
        r"首を(絞|し)め|首(絞|し)め|殺す|ころす|殺され|ころされ|殺すぞ|殺し(に|てや)|ころし(に|てや)",
        r"(包丁|刃物|ナイフ|はもの|ほうちょう)(を|で)?.{0,6}(持|も[っちつ]|向け|むけ|突きつけ|振り回|ふりまわ|脅)",
        r"threaten\w*tokill|killme|lockedin(the|my)?(bath|toilet|room)|hidingfrom|followedme|outsidemy(apartment|door|house|room)",
        r"暴れて(い|る)|あばれて(い|る)|襲われ|おそわれ|監禁|閉じ込められ",
        r"(逃げ|隠れ|かくれ|にげ)て(い|る|ます)|逃げ込|にげこ|鍵をかけて",
        r"つきまとわれ|ストーカー(?!対策|規制|防止|講座)|(後|あと)をつけられ|待ち伏せ|まちぶせ",
        # happening now: screams, someone pounding on the door
        r"放り出され|ほうりだされ|(叩|たた|殴|なぐ|蹴)(いて|って)(い)?る(のを|ところを?)(今|いま)?(見|目撃)",
        r"悲鳴|ひめい|(ドア|玄関|扉|とびら)を.{0,4}(叩|たた|蹴|け|ドンドン|どんどん)|助けて(って|と|ー)?.{0,4}(叫|聞こえ|きこえ)",
        r"hitsme|beatingme|beatsme|hurtingme|threatenedtokill|goingtokillme",
    ),
    _rule(
        CrisisKind.CHILD_DANGER,
        r"虐待|ぎゃくたい|ネグレクト|育児放棄|揺さぶ|ゆさぶ|置き去り",
        r"泣き叫|なきさけ|ベランダに出され|外に出され|締め出され|しめだされ|家に入れてもらえ",
        r"食べさせてもら(え|って(い)?な)|(ご飯|ごはん|食事)(を|も)?(もらえ|与えられ|あたえられ|食べさせてもら)(って|て)?(い)?(ない|ず|ません)",
        # marks of abuse on a child (bruises that never heal, burns), a child crying out "sorry"
        r"(あざ|アザ|痣)(が)?(いつも|絶えな|たえな|だらけ|何か所|いくつも|増え|ふえ)|(やけど|火傷)の(跡|あと)",
        r"(たばこ|タバコ)を.{0,4}(押し付け|押しつけ|おしつけ)|根性焼|(新しい|あたらしい)(あざ|アザ|痣)",
        # a child left alone or unfed
        r"給食だけが|きゅうしょくだけが|(大人|おとな|親)の(気配|けはい)が(ない|しない)",
        r"ごめんなさい.{0,8}(叫|さけ|泣|聞こえ|きこえ)",
        r"(おとうさん|おかあさん|お父さん|お母さん|父|母|親|パパ|ママ)(に|から).{0,6}(たたかれ|叩かれ|殴られ|なぐられ|けられ|蹴られ)",
        r"childabuse|abusingachild|beingabused",
    ),
    _rule(
        CrisisKind.MEDICAL,
        r"倒れて(い|る|た)|倒れた(?!ら)|たおれて(い|る)|意識が(ない|なく|もうろう)|いしきがない",
        r"(息|いき)を?して(い)?ない|(息|いき)をしているか|呼吸(が|を)(して(い)?ない|止ま)",
        r"(返事|へんじ|反応|はんのう)が(ない|なく|ありません)|ぐったり|誤飲|飲み込んだ|のみこんだ",
        r"(返事|へんじ)(せ|し)(ない|へん|ねえ|ん)|(息|いき)(を)?(し)?(とる|てる|ている)か(わから|分から)|白目|しろめ|ガクガク震え",
        r"(一箱|ひと箱|ひとはこ|一瓶|ひとびん|全部|ぜんぶ)(全部|ぜんぶ)?(飲んだ|のんだ)",
        r"(薬|くすり)を?(大量|たくさん|いっぱい)|大量(に|の)(薬|くすり)|オーバードーズ(?!.{0,8}(広が|増え|流行|問題|ニュース))|overdose",
        r"火事|燃えて(い|る)|けいれん|痙攣|血が止まらない|ちがとまらない",
        r"notbreathing|unconscious|collapsed|can'?twake(him|her|them|up)|(whole|entire)bottleof|toomanypills",
    ),
)

# Violence from a spouse or partner is DV: the DV hotlines come with the police number.
PARTNER = re.compile(
    r"夫|妻|旦那|だんな|おっと|彼氏|彼女|彼(に|が|から)|パートナー|交際相手|恋人|元夫|元妻"
    r"|husband|wife|boyfriend|partner"
)

# Which crisis lines (window ids with crisis_line: true) to show for each kind, most urgent first.
LINES_BY_KIND: dict[CrisisKind, tuple[str, ...]] = {
    CrisisKind.SUICIDE: ("kyukyu-119", "kokoro-dial", "yorisoi", "chukaku-center"),
    CrisisKind.VIOLENCE: ("police-110",),
    CrisisKind.PARTNER_VIOLENCE: ("police-110", "dv-soudan-plus", "dv-navi-8008"),
    CrisisKind.CHILD_DANGER: ("police-110", "gyakutai-189", "kodomo-sos"),
    CrisisKind.MEDICAL: ("kyukyu-119",),
}
# Shown in every crisis, after the kind's own lines.
ALWAYS: tuple[str, ...] = ("police-110", "kyukyu-119")

# The welfare window that serves each kind; the routing decision adds it to the classifier's ranking
# (and uses it alone when the classifier offers nothing, e.g. it said "out of scope").
WINDOW_BY_KIND: dict[CrisisKind, str] = {
    CrisisKind.SUICIDE: "seishin-hoken",
    CrisisKind.VIOLENCE: "chukaku-center",
    CrisisKind.PARTNER_VIOLENCE: "dv-center",
    CrisisKind.CHILD_DANGER: "jidou-soudanjo",
    CrisisKind.MEDICAL: "chukaku-center",
}
# Kinds whose window is clear enough to lift in the ranking, not only to fall back on.
BOOSTED_KINDS = frozenset({CrisisKind.SUICIDE, CrisisKind.PARTNER_VIOLENCE})


@dataclass(frozen=True)
class CrisisAssessment:
    kinds: tuple[CrisisKind, ...]
    lines: tuple[str, ...]  # window ids, most urgent first

    @property
    def is_crisis(self) -> bool:
        return bool(self.kinds)


# Figurative speech that uses crisis words: removed before the rules run (死ぬほど忙しい, 笑い死に,
# 殺人的な暑さ, a child "killed" in a video game).
FIGURATIVE = re.compile(
    r"死ぬほど|しぬほど|死ぬかと思|笑い死|わらいじに|死にそうなくらい|殺人的|殺す気か|ころすきか|ゲーム(で|の中で|内で).{0,4}(殺|ころ)"
)


def normalise(text: str) -> str:
    return FIGURATIVE.sub("", re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).lower()))


_KATAKANA = "".join(chr(c) for c in range(ord("ァ"), ord("ヶ") + 1))
_TO_HIRAGANA = str.maketrans(_KATAKANA, "".join(chr(ord(c) - 0x60) for c in _KATAKANA))


class ReadingConverter:
    """The text read aloud in hiragana (Sudachi's readings), so one kana pattern covers kanji, kana and
    やさしい日本語 spellings alike: 殴っています / なぐって います → なぐっています."""

    def __init__(self) -> None:
        from sudachipy import Dictionary, SplitMode

        self._tokenizer = Dictionary(dict="core").create(SplitMode.C)
        # a Sudachi tokenizer must not be used by two threads at once (the gateway answers in a thread pool)
        self._lock = threading.Lock()
        # the crisis model reads the same message again right after the rules: remember recent readings
        self._cached = functools.lru_cache(maxsize=1024)(self._read)

    def __call__(self, flat: str) -> str:
        return self._cached(flat)

    def _read(self, flat: str) -> str:
        parts = []
        with self._lock:
            for morpheme in self._tokenizer.tokenize(flat[:12000]):
                reading = morpheme.reading_form()
                surface = morpheme.surface()
                parts.append(surface if surface.isascii() or not reading else reading)
        return "".join(parts).translate(_TO_HIRAGANA)


class CrisisDetector:
    def __init__(
        self,
        directory: WindowsDirectory,
        rules: tuple[CrisisRule, ...] = RULES,
        reading: Callable[[str], str] | None = None,
        model: Callable[[str], str | None] | None = None,
    ) -> None:
        for kind_lines in (*LINES_BY_KIND.values(), ALWAYS, tuple(WINDOW_BY_KIND.values())):
            for window_id in kind_lines:
                if window_id not in directory:
                    raise DirectoryError(f"crisis layer names {window_id!r}, which is not in the windows directory")
        self._rules = rules
        self._reading = reading if reading is not None else ReadingConverter()
        # a learned second opinion (routing/crisis_model.py), asked only when no rule fires: the name of a
        # CrisisKind value, or None
        self._model = model

    def assess(self, text: str) -> CrisisAssessment:
        flat = normalise(text)
        spoken = self._reading(flat)
        found = [rule.kind for rule in self._rules if rule.pattern.search(flat) or rule.pattern.search(spoken)]
        if not found and self._model is not None and (suggested := self._model(text)) is not None:
            found = [CrisisKind(suggested)]
        if CrisisKind.VIOLENCE in found and PARTNER.search(flat):
            found.insert(found.index(CrisisKind.VIOLENCE), CrisisKind.PARTNER_VIOLENCE)
        kinds = tuple(dict.fromkeys(found))
        if not kinds:
            return CrisisAssessment((), ())
        lines = [line for kind in kinds for line in LINES_BY_KIND[kind]]
        return CrisisAssessment(kinds, tuple(dict.fromkeys((*lines, *ALWAYS))))
