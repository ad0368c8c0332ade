"""The extractive summarizer (the default without an LLM): TextRank over SudachiPy content words, four
sections, only sentences copied from the approved text."""

from __future__ import annotations

import numpy as np
import pytest

from masking.summarize.base import SECTION_TITLES
from masking.summarize.extractive import ExtractiveSummarizer, content_words, section_of, split_sentences, textrank
from masking.summarize.factory import build_summarizer
from masking.summarize.openai_compatible import OpenAICompatibleSummarizer
from tests.masking.workflow_support import settings_for

MASKED = (
    "相談員：ひかり市生活支援課の【氏名1】です。今日はどうされましたか。\n"
    "相談者：【氏名2】と申します。夫と二人で【場所1】に住んでいます。\n"
    "相談者：夫が先月仕事を辞めて、家賃が払えなくて困っています。生活費も足りないので不安です。\n"
    "相談員：住居確保給付金という制度があり、家賃の一部が支給される場合があります。申請は生活支援課の窓口でできます。\n"
    "相談員：次回、収入がわかる書類をお持ちください。来週こちらからご連絡します。"
)


def test_four_sections_from_a_speaker_labelled_transcript() -> None:
    draft = ExtractiveSummarizer().summarize(MASKED)
    assert tuple(draft.sections) == SECTION_TITLES and draft.generator == "extractive"
    assert "夫と二人で【場所1】に住んでいます。" in draft.sections["相談者の状況"]
    assert "家賃が払えなくて困っています。" in draft.sections["主訴"]
    assert "住居確保給付金" in draft.sections["対応・助言"]
    assert "来週こちらからご連絡します。" in draft.sections["今後の対応"]
    sentences = {s for _, s in split_sentences(MASKED)}
    for text in draft.sections.values():  # extractive: every line is a sentence of the input
        for line in text.splitlines():
            assert line.removeprefix("・") in sentences


def test_asr_text_without_punctuation_or_speakers_still_gets_four_sections() -> None:
    vosk_style = ("え ー と 夫 が 仕事 を 辞め て 家賃 が 払え なく て 困っ て い ます " * 6).strip()
    draft = ExtractiveSummarizer().summarize(vosk_style)
    assert tuple(draft.sections) == SECTION_TITLES
    assert draft.sections["主訴"] != "（記載なし）"
    assert all(len(line) <= 130 for text in draft.sections.values() for line in text.splitlines())


def test_empty_sections_say_so() -> None:
    draft = ExtractiveSummarizer().summarize("相談者：家賃が払えなくて困っています。")
    assert draft.sections["主訴"] == "・家賃が払えなくて困っています。"
    assert draft.sections["今後の対応"] == "（記載なし）"


def test_content_words_are_lemmas_without_placeholders() -> None:
    words = content_words("【氏名1】さんは家賃が払えなくて困っています。")
    assert {"家賃", "払える", "困る"} <= words or {"家賃", "払う", "困る"} <= words
    assert not any("氏名" in w for w in words)


@pytest.mark.parametrize(("speaker", "sentence", "section"), [
    ("相談員", "次回は書類をお持ちください。", "今後の対応"),
    ("相談員", "この制度は申請できます。", "対応・助言"),
    ("相談者", "お金が足りなくて不安です。", "主訴"),
    ("相談者", "母と二人で暮らしています。", "相談者の状況"),
    ("", "来週ご連絡します。", "今後の対応"),
])
def test_sentences_go_to_sections_by_speaker_and_cue(speaker: str, sentence: str, section: str) -> None:
    assert section_of(speaker, sentence) == section


def test_textrank_prefers_the_sentence_that_shares_most() -> None:
    scores = textrank([{"家賃", "支払い"}, {"家賃", "支払い", "困る"}, {"家賃", "困る"}, {"天気"}])
    assert int(np.argmax(scores)) == 1 and scores[3] == min(scores)


def test_factory_uses_the_llm_only_when_configured(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path))
    assert isinstance(build_summarizer(settings_for(path, "sqlite://")), ExtractiveSummarizer)
    llm = build_summarizer(settings_for(path, "sqlite://", llm_base_url="http://127.0.0.1:11434/v1", llm_model="m"))
    assert isinstance(llm, OpenAICompatibleSummarizer)
