"""G.711 μ-law codec and resampling (numpy; audioop is deprecated)."""

from __future__ import annotations

import numpy as np
import pytest

from voice.audio import (
    Upsampler8kTo16k,
    downsample_to_8k,
    pcm16_to_ulaw,
    rms_dbfs,
    ulaw_to_pcm16,
    upsample_8k_to_16k,
)


@pytest.mark.parametrize(("code", "sample"), [
    (0xFF, 0), (0x7F, 0), (0x80, 32124), (0x00, -32124), (0xFE, 8), (0x7E, -8), (0xF0, 120), (0xCF, 924),
])
def test_ulaw_decoding_matches_g711(code: int, sample: int) -> None:
    assert np.frombuffer(ulaw_to_pcm16(bytes([code])), "<i2")[0] == sample


@pytest.mark.parametrize(("sample", "code"), [(0, 0xFF), (32767, 0x80), (-32768, 0x00), (8, 0xFE), (-8, 0x7E)])
def test_ulaw_encoding_matches_g711(sample: int, code: int) -> None:
    assert pcm16_to_ulaw(np.array([sample], "<i2").tobytes()) == bytes([code])


def test_every_ulaw_code_survives_a_round_trip() -> None:
    codes = bytes(range(256))
    decoded = ulaw_to_pcm16(codes)
    again = pcm16_to_ulaw(decoded)
    # 0x7F and 0xFF are both zero (negative and positive zero); everything else is exact
    assert [a for a, b in zip(codes, again, strict=True) if a != b] == [0x7F]


def test_ulaw_quantization_error_is_small_relative_to_the_signal() -> None:
    x = (np.sin(np.linspace(0, 200 * np.pi, 8000)) * 20000).astype("<i2")
    y = np.frombuffer(ulaw_to_pcm16(pcm16_to_ulaw(x.tobytes())), "<i2").astype(float)
    snr = 10 * np.log10(np.sum(x.astype(float) ** 2) / np.sum((x - y) ** 2))
    assert snr > 30


def _tone(freq: float, rate: int, seconds: float = 0.5, amp: float = 10000) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return np.sin(2 * np.pi * freq * t) * amp


def test_upsampling_keeps_a_voice_band_tone_and_its_level() -> None:
    pcm8 = _tone(440, 8000).astype("<i2").tobytes()
    pcm16 = upsample_8k_to_16k(pcm8)
    assert len(pcm16) == 2 * len(pcm8)
    y = np.frombuffer(pcm16, "<i2").astype(float)[200:-200]
    spectrum = np.abs(np.fft.rfft(y))
    assert abs(np.argmax(spectrum) * 16000 / len(y) - 440) < 5
    assert abs(rms_dbfs(pcm16) - rms_dbfs(pcm8)) < 1.0


def test_streaming_upsampler_equals_one_shot() -> None:
    pcm8 = _tone(300, 8000).astype("<i2").tobytes()
    up = Upsampler8kTo16k()
    chunks = b"".join(up.process(pcm8[i:i + 320]) for i in range(0, len(pcm8), 320))
    assert chunks == upsample_8k_to_16k(pcm8)


def test_downsampling_48k_removes_what_8k_cannot_carry() -> None:
    voice = downsample_to_8k(_tone(500, 48000), 48000)
    alias = downsample_to_8k(_tone(7000, 48000), 48000)  # would fold to 1 kHz without the filter
    assert len(voice) == 2 * 4000
    assert rms_dbfs(voice) - rms_dbfs(alias) > 30
    with pytest.raises(ValueError):
        downsample_to_8k(_tone(500, 44100), 44100)
