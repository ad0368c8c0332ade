"""Telephone audio: G.711 μ-law ⇄ 16-bit PCM and the resampling the speech path needs.

Pure numpy (``audioop`` is deprecated and leaves the standard library in Python 3.13).
PCM is always little-endian signed 16-bit mono bytes.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

ULAW_BIAS = 0x84
ULAW_CLIP = 32635
ULAW_SILENCE = 0xFF  # μ-law byte for zero amplitude

Int16Array = npt.NDArray[np.int16]
FloatArray = npt.NDArray[np.float32]


def _build_decode_table() -> Int16Array:
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = (((mantissa << 3) + ULAW_BIAS) << exponent) - ULAW_BIAS
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


_DECODE = _build_decode_table()


def _build_encode_table() -> npt.NDArray[np.uint8]:
    # Indexed by the top 14 bits of the sample + 8192 offset (μ-law only resolves 14 bits).
    samples = (np.arange(-8192, 8192, dtype=np.int32) << 2).astype(np.int32)
    sign = np.where(samples < 0, 0x80, 0x00)
    magnitude = np.minimum(np.abs(samples), ULAW_CLIP) + ULAW_BIAS
    exponent = np.floor(np.log2(magnitude)).astype(np.int32) - 7
    exponent = np.clip(exponent, 0, 7)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8)


_ENCODE = _build_encode_table()


def ulaw_to_pcm16(ulaw: bytes) -> bytes:
    return _DECODE[np.frombuffer(ulaw, dtype=np.uint8)].astype("<i2").tobytes()


def pcm16_to_ulaw(pcm: bytes) -> bytes:
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.int32)
    return _ENCODE[(samples >> 2) + 8192].tobytes()


def pcm16_to_float(pcm: bytes) -> FloatArray:
    return (np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0).astype(np.float32)


def float_to_pcm16(samples: npt.NDArray[np.floating]) -> bytes:
    clipped = np.clip(np.asarray(samples, dtype=np.float64), -1.0, 32767 / 32768)
    return np.round(clipped * 32768.0).astype("<i2").tobytes()


def _lowpass_taps(cutoff: float, taps: int) -> npt.NDArray[np.float64]:
    """Windowed-sinc low-pass; ``cutoff`` is a fraction of the sample rate (0 < cutoff < 0.5)."""
    n = np.arange(taps) - (taps - 1) / 2
    h = 2 * cutoff * np.sinc(2 * cutoff * n) * np.blackman(taps)
    return h / h.sum()


_UP2_TAPS = _lowpass_taps(0.23, 31)  # for 16 kHz after zero-stuffing 8 kHz: cut at ~3.7 kHz


class Upsampler8kTo16k:
    """Streaming 2x interpolator: keeps filter history so chunk boundaries leave no clicks."""

    def __init__(self) -> None:
        self._history = np.zeros(len(_UP2_TAPS) - 1, dtype=np.float64)

    def process(self, pcm8k: bytes) -> bytes:
        x = np.frombuffer(pcm8k, dtype="<i2").astype(np.float64)
        if x.size == 0:
            return b""
        stuffed = np.zeros(2 * x.size, dtype=np.float64)
        stuffed[::2] = 2.0 * x  # gain 2 restores the energy lost to zero-stuffing
        extended = np.concatenate([self._history, stuffed])
        self._history = extended[-(len(_UP2_TAPS) - 1):]
        y = np.convolve(extended, _UP2_TAPS, mode="valid")
        return np.clip(np.round(y), -32768, 32767).astype("<i2").tobytes()


def upsample_8k_to_16k(pcm8k: bytes) -> bytes:
    return Upsampler8kTo16k().process(pcm8k)


def downsample_to_8k(samples: npt.NDArray[np.floating], rate: int) -> bytes:
    """One-shot resampling of synthesized speech (e.g. 48 kHz) to 8 kHz PCM16.

    Integer ratios only (48k, 16k, 24k …), which is what the TTS engines here produce.
    """
    if rate % 8000:
        raise ValueError(f"cannot resample {rate} Hz to 8 kHz with an integer ratio")
    factor = rate // 8000
    x = np.asarray(samples, dtype=np.float64)
    if factor > 1:
        x = np.convolve(x, _lowpass_taps(0.45 / factor, 16 * factor + 1), mode="same")[::factor]
    return np.clip(np.round(x), -32768, 32767).astype("<i2").tobytes()


def rms_dbfs(pcm: bytes) -> float:
    """Level of a PCM16 frame in dB relative to full scale (-100 for digital silence)."""
    x = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    if x.size == 0:
        return -100.0
    rms = float(np.sqrt(np.mean(x * x)))
    return -100.0 if rms < 1.0 else 20.0 * float(np.log10(rms / 32768.0))
