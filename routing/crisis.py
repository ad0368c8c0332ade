"""The crisis layer: keyword and pattern rules that run before, and independent of, the classifier.

High recall on purpose: a resident who writes もう消えたい or 殴られている must see the
emergency numbers and the right hotlines first, every time, whatever the Rasa model thinks.
A false alarm costs one extra card; a miss can cost a life.
"""

from __future__ import annotations

import enum
import re
import unicodedata
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
        r"自殺(?!で|した|の遺|遺族|対策)|じさつ(?!で)|自死(?!遺族|で)|命を絶|いのちをた[ちつ]",
        r"お迎えが来|おむかえがき|首を[吊つ]|首つり|くびをつ|首吊|飛び降り|とびおり|電車に飛び込",
        r"リストカット|リスカ|od(?:し|する)|遺書|いしょをか",
        r"(私|わたし|自分|僕|俺)が?いない方が|(私|わたし|自分|僕|俺)が?いないほうが|いなくなれば(みんな|楽)",
        r"明日(なんか|なんて)?(が)?来なければ|目が覚めなければ|目覚めなければ|保険金で(返|払)|生命保険で(返|払)",
        r"終わりにしたい|人生を終わら|楽になりたい",
        r"kill(ing)?myself|suicid|wanttodie|don'?twanttolive|endmylife|noreasontolive|betteroffwithoutme",
        r"nobodywouldnoticeifidisappeared|wanttodisappear",
    ),
    _rule(
        CrisisKind.VIOLENCE,
        r"(殴られ|なぐられ|叩かれ|たたかれ|蹴られ|ぶたれ|暴力を(振る|ふる)われ)" + _NOT_NEGATED,
        r"殴ってく|殴って(い|る)",
        r"首を(絞|し)め|首(絞|し)め|包丁|刃物|ナイフ|殺す|ころす|殺され|ころされ|殺すぞ",
        r"暴れて(い|る)|あばれて(い|る)|襲われ|おそわれ|監禁|閉じ込められ",
        r"(逃げ|隠れ|かくれ|にげ)て(い|る|ます)|鍵をかけて",
        r"つきまとわれ|ストーカー|後をつけられ",
        r"hitsme|beatingme|beatsme|hurtingme|threatenedtokill|goingtokillme",
    ),
    _rule(
        CrisisKind.CHILD_DANGER,
        r"虐待|ぎゃくたい|ネグレクト|育児放棄|揺さぶ|ゆさぶ|置き去り",
        r"泣き叫|なきさけ|ベランダに出され|外に出され|締め出され|しめだされ|家に入れてもらえ",
        r"食べさせてもらえ|ご飯をもらえ|ごはんをもらえ",
        r"(おとうさん|おかあさん|お父さん|お母さん|父|母|親|パパ|ママ)(に|から).{0,6}(たたかれ|叩かれ|殴られ|なぐられ|けられ|蹴られ)",
        r"childabuse|abusingachild|beingabused",
    ),
    _rule(
        CrisisKind.MEDICAL,
        r"倒れて(い|る|た)|倒れた|たおれて(い|る)|意識が(ない|なく|もうろう)|いしきがない",
        r"息をして(い)?ない|息してない|呼吸(が|を)(して(い)?ない|止ま)|返事がない|反応がない",
        r"(薬|くすり)を?(大量|たくさん|いっぱい)|大量(に|の)(薬|くすり)|オーバードーズ|overdose",
        r"火事|燃えて(い|る)|けいれん|痙攣|血が止まらない|ちがとまらない",
        r"notbreathing|unconscious|collapsed",
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


def normalise(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).lower())


class CrisisDetector:
    def __init__(self, directory: WindowsDirectory, rules: tuple[CrisisRule, ...] = RULES) -> None:
        for kind_lines in (*LINES_BY_KIND.values(), ALWAYS, tuple(WINDOW_BY_KIND.values())):
            for window_id in kind_lines:
                if window_id not in directory:
                    raise DirectoryError(f"crisis layer names {window_id!r}, which is not in the windows directory")
        self._rules = rules

    def assess(self, text: str) -> CrisisAssessment:
        flat = normalise(text)
        found = [rule.kind for rule in self._rules if rule.pattern.search(flat)]
        if CrisisKind.VIOLENCE in found and PARTNER.search(flat):
            found.insert(found.index(CrisisKind.VIOLENCE), CrisisKind.PARTNER_VIOLENCE)
        kinds = tuple(dict.fromkeys(found))
        if not kinds:
            return CrisisAssessment((), ())
        lines = [line for kind in kinds for line in LINES_BY_KIND[kind]]
        return CrisisAssessment(kinds, tuple(dict.fromkeys((*lines, *ALWAYS))))
