"""Does the caller ask for a person? (人と話したい, オペレーター, 職員の方に代わって …)

Checked on the normalized text and on its katakana spelling, so ASR spacing and kana spellings
(おぺれーたー, たんとうしゃ) are caught. A person word alone (オペレーター, 人間) is a request; a
softer one (人, 方, 職員, 担当) needs a request verb (話したい, 代わって, つないで, 出して, お願い),
so 「職員が調査に来る」 or 「市役所の人から電話があった」 are not requests.
"""

from __future__ import annotations

import re

from faq.normalize import normalize_text, to_katakana

# Words that by themselves mean "a human, not the bot".
_STRONG = re.compile(
    r"オペレーター|オペレータ|人間|生身の人|有人|ひとと話|人と話|人と直接|人に代わ|人にかわ|人に替わ|人につな|人に繋"
    r"|(?:機械|ロボット|ai|自動音声|コンピューター)(?:じゃ|では|とは|と)?(?:なく|話したくない|は嫌|はいや|じゃ嫌|じゃ分から)"
    r"|(?:分かる|わかる|詳しい)(?:人|方)(?:は|が)?(?:いません|いない|います|おりません|いらっしゃいます)"
)
# Who the caller wants to talk to.
_PERSON = (
    r"(?:職員|担当者?|係(?:り)?の(?:人|方)|窓口の(?:人|方)|係員|スタッフ|詳しい(?:人|方)|分かる(?:人|方)|わかる(?:人|方)"
    r"|誰か|だれか|専門の(?:人|方)|相談員|市役所の(?:人|方)|受付の(?:人|方))"
)
_PARTICLE = r"(?:の(?:人|方))?(?:さん|様)?(?:に|と|を|から|へ|が|で)?(?:直接)?"
# What the caller asks of that person.
_REQUEST = (
    r"(?:話し?たい|話せ|話をし|話がし|お話し|代わ(?!り)|替わ(?!り)|かわ(?!り)|変わ(?!り)|換わ(?!り)"
    r"|つないで|繋いで|つなげて|繋げて|つないでほしい|出して|だして|呼んで|お願い|おねがい"
    r"|相談したい|聞きたい|きいて|回して|まわして|転送|取り次|とりつ)"
)
_PERSON_REQUEST = re.compile(_PERSON + _PARTICLE + r".{0,6}?" + _REQUEST)
_STRONG_KANA = re.compile(r"オペレーター|ニンゲン|タントウシャ|ショクイン.{0,4}(?:カワ|ツナ|ハナシ)")
# Phrases that mention a person but are questions about tax matters, not requests.
_NOT_REQUEST = re.compile(r"(?:人から|方から|職員が|職員の調査|来ると|名乗る)")


def is_human_request(text: str) -> bool:
    """True when the utterance asks to speak to a person (after normalization)."""
    normalized = normalize_text(text, strip_endings=False)
    if not normalized:
        return False
    if _STRONG.search(normalized):
        return True
    match = _PERSON_REQUEST.search(normalized)
    if match and not _NOT_REQUEST.search(normalized[max(0, match.start() - 2) : match.end() + 2]):
        return True
    return bool(_STRONG_KANA.search(to_katakana(normalized)))
