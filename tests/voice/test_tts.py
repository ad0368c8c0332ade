"""Offline Japanese TTS (pyopenjtalk-plus) → 8 kHz μ-law, sentence by sentence, cached."""

from __future__ import annotations

import pytest

from voice.audio import rms_dbfs, ulaw_to_pcm16
from voice.tts import OpenJTalkSynthesizer, split_sentences

ANSWER = "住民税は年4回に分けて納めていただきます。納期限は6月30日です！ほかにご質問はありますか？"


def test_answers_are_split_into_sentences_for_early_playback() -> None:
    assert split_sentences(ANSWER) == ["住民税は年4回に分けて納めていただきます。", "納期限は6月30日です！",
                                       "ほかにご質問はありますか？"]
    assert split_sentences("区切りなし") == ["区切りなし"]
    assert split_sentences(" 。 ") == ["。"]


def test_speech_is_phone_audio_of_plausible_length_and_level() -> None:
    tts = OpenJTalkSynthesizer()
    audio = tts.synthesize_ulaw(ANSWER)
    seconds = len(audio) / 8000  # μ-law: one byte per sample at 8 kHz
    assert 4.0 < seconds < 15.0
    level = rms_dbfs(ulaw_to_pcm16(audio))
    assert -30 < level < -6  # normalized, not clipped to full scale, not whisper-quiet
    assert audio == b"".join(tts.synthesize_sentence(s) for s in split_sentences(ANSWER))


def test_sentences_are_cached_and_the_cache_is_bounded() -> None:
    tts = OpenJTalkSynthesizer(cache_size=2)
    first = tts.synthesize_sentence("はい。")
    assert tts.synthesize_sentence("はい。") == first and (tts.hits, tts.misses) == (1, 1)
    tts.prewarm(["いいえ。", "わかりました。"])
    assert tts.misses == 3
    tts.synthesize_sentence("はい。")  # evicted by the two newer lines
    assert tts.misses == 4


@pytest.mark.parametrize("text", ["0120-279-338", "AI", "令和7年"])
def test_digits_latin_and_era_names_synthesize(text: str) -> None:
    assert len(OpenJTalkSynthesizer().synthesize_ulaw(text)) > 2000
