"""An extractive summarizer (no LLM): TextRank over SudachiPy content words.

Sentences are ranked by TextRank (a sentence graph weighted by shared content-word lemmas, as in
Mihalcea & Tarau 2004) and sorted into the four sections by who speaks (when lines carry a speaker
such as 「相談員：」) and by cue words. It only ever copies sentences of the approved masked text, so
it cannot invent anything — and it cannot paraphrase either; staff edit before confirming.
"""

from __future__ import annotations

import math
import re
import threading
from typing import Any

import numpy as np

from masking.summarize.base import ADVICE, COMPLAINT, NEXT_STEPS, SECTION_TITLES, SITUATION, Summarizer, SummaryDraft

NONE = "（記載なし）"
PER_SECTION = 3
MIN_CONTENT_WORDS = 2
MAX_SENTENCE_CHARS = 120  # ASR text without punctuation is cut into pieces about this long
_SENTENCE_END = re.compile(r"(?<=[。！？!?])|\n")
_SPEAKER = re.compile(r"^\s*([^\s:：「」]{1,10})\s*[:：]\s*")
_PLACEHOLDER = re.compile(r"【[^】]{1,12}】")
STAFF_SPEAKERS = ("相談員", "職員", "担当", "支援員", "ワーカー", "窓口", "係", "市役所", "区役所", "保健師")
CONTENT_POS = {"名詞", "動詞", "形容詞"}
SKIP_POS_DETAIL = {"数詞", "代名詞", "非自立可能"}
CUES: dict[str, tuple[str, ...]] = {
    NEXT_STEPS: ("次回", "後日", "来週", "今週", "改めて", "あらためて", "ご連絡", "連絡します", "予定", "訪問",
                 "お持ちください", "持ってきて", "進めます", "確認します", "調整します", "予約", "までに"),
    ADVICE: ("制度", "申請", "窓口", "案内", "紹介", "利用でき", "説明", "支給", "受けられ", "手続き", "できます",
             "相談できます", "ご検討", "おすすめ", "必要です", "対象"),
    COMPLAINT: ("困って", "困り", "相談したい", "不安", "心配", "悩", "したい", "ほしい", "欲しい", "できない",
                "払えない", "どうすれば", "どうしたら", "助けて", "つらい", "辛い", "苦しい", "足りない"),
}

_tokenizer_lock = threading.Lock()
_tokenizer: Any = None


def _tokenize(text: str) -> list[Any]:
    global _tokenizer
    with _tokenizer_lock:
        if _tokenizer is None:
            from sudachipy import Dictionary

            _tokenizer = Dictionary(dict="core").create()
        from sudachipy import SplitMode

        return list(_tokenizer.tokenize(text, SplitMode.C))


def content_words(sentence: str) -> set[str]:
    words: set[str] = set()
    for morpheme in _tokenize(_PLACEHOLDER.sub("。", sentence)):
        pos = morpheme.part_of_speech()
        if pos[0] in CONTENT_POS and pos[1] not in SKIP_POS_DETAIL:
            lemma = morpheme.dictionary_form()
            if len(lemma) > 1 or not lemma.isascii():
                words.add(lemma)
    return words


def split_sentences(text: str) -> list[tuple[str, str]]:
    """(speaker or "", sentence) in order; a speaker prefix carries over to the sentences after it."""
    out: list[tuple[str, str]] = []
    for line in text.splitlines():
        speaker_match = _SPEAKER.match(line)
        speaker = speaker_match.group(1) if speaker_match else ""
        body = line[speaker_match.end():] if speaker_match else line
        for piece in _SENTENCE_END.split(body):
            for sentence in _cut_long(piece.strip()):
                if len(sentence) >= 4:
                    out.append((speaker, sentence))
    return out


def _cut_long(sentence: str) -> list[str]:
    if len(sentence) <= MAX_SENTENCE_CHARS:
        return [sentence]
    pieces, current = [], ""
    for word in sentence.split(" "):
        if current and len(current) + len(word) > MAX_SENTENCE_CHARS // 2:
            pieces.append(current)
            current = ""
        current = f"{current} {word}".strip()
    if current:
        pieces.append(current)
    return [p[i : i + MAX_SENTENCE_CHARS] for p in pieces for i in range(0, len(p), MAX_SENTENCE_CHARS)]


def textrank(word_sets: list[set[str]], damping: float = 0.85, iterations: int = 60) -> np.ndarray:
    n = len(word_sets)
    if n == 0:
        return np.zeros(0)
    weights = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            shared = len(word_sets[i] & word_sets[j])
            if shared:
                norm = math.log(len(word_sets[i]) + 1) + math.log(len(word_sets[j]) + 1)
                weights[i, j] = weights[j, i] = shared / norm
    out_weight = weights.sum(axis=1)
    out_weight[out_weight == 0] = 1.0
    transition = weights / out_weight[:, None]
    scores = np.full(n, 1.0 / n)
    for _ in range(iterations):
        scores = (1 - damping) / n + damping * transition.T @ scores
    return scores


def _is_staff(speaker: str) -> bool:
    return any(word in speaker for word in STAFF_SPEAKERS)


def section_of(speaker: str, sentence: str) -> str:
    compact = sentence.replace(" ", "").replace("\u3000", "")  # Vosk puts spaces between words
    has = {title: any(cue in compact for cue in cues) for title, cues in CUES.items()}
    if speaker:
        if _is_staff(speaker):
            return NEXT_STEPS if has[NEXT_STEPS] else ADVICE
        return COMPLAINT if has[COMPLAINT] else SITUATION
    for title in (NEXT_STEPS, COMPLAINT, ADVICE):
        if has[title]:
            return title
    return SITUATION


class ExtractiveSummarizer(Summarizer):
    name = "extractive"

    def __init__(self, per_section: int = PER_SECTION) -> None:
        self.per_section = per_section

    def summarize(self, approved_masked_text: str) -> SummaryDraft:
        sentences = split_sentences(approved_masked_text)
        words = [content_words(s) for _, s in sentences]
        # 「【場所1】です。」「【氏名1】と申します。」 carry nothing to summarize once the placeholder is set aside
        kept = [i for i, w in enumerate(words) if len(w) >= MIN_CONTENT_WORDS]
        sentences, words = [sentences[i] for i in kept], [words[i] for i in kept]
        scores = textrank(words)
        chosen: dict[str, list[int]] = {title: [] for title in SECTION_TITLES}
        for index in sorted(range(len(sentences)), key=lambda i: -scores[i]):
            title = section_of(*sentences[index])
            if len(chosen[title]) < self.per_section:
                chosen[title].append(index)
        sections = {
            title: "\n".join(f"・{sentences[i][1]}" for i in sorted(indexes)) or NONE
            for title, indexes in chosen.items()
        }
        return SummaryDraft(sections=sections, generator=self.name, model="textrank-sudachi")
