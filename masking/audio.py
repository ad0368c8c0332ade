"""Uploaded consultation audio: check it at upload, decode it for ASR (PyAV, which ships FFmpeg's
decoders with faster-whisper), whatever the container — WAV, MP3, M4A (AAC/ALAC), FLAC."""

from __future__ import annotations

import io
from dataclasses import dataclass

from masking.errors import UploadRejected

# FFmpeg demuxer names → the format we record. M4A is demuxed by the "mov,mp4,m4a,…" family.
_FORMATS = {"wav": "wav", "mp3": "mp3", "flac": "flac", "mov": "m4a", "mp4": "m4a", "m4a": "m4a"}
ALLOWED_SUFFIXES = (".wav", ".mp3", ".m4a", ".flac")
NOT_AUDIO = "音声ファイルを読み取れませんでした。WAV・MP3・M4A・FLAC 形式のファイルを選んでください。"
EMPTY = "音声ファイルが空です。録音ファイルを選び直してください。"


@dataclass(frozen=True)
class AudioInfo:
    format: str  # wav | mp3 | m4a | flac
    seconds: float | None


def _format_of(container_format: str) -> str | None:
    for name in container_format.split(","):
        if name in _FORMATS:
            return _FORMATS[name]
    return None


def inspect_audio(data: bytes, filename: str, max_bytes: int) -> AudioInfo:
    """Check an upload before anything is saved: size, a known container, an audio stream that decodes."""
    import av

    if not data:
        raise UploadRejected(EMPTY)
    if len(data) > max_bytes:
        raise UploadRejected(
            f"音声ファイルが大きすぎます（上限 {max_bytes // (1024 * 1024)} MB）。"
            "分割するか圧縮してからお試しください。")
    if not filename.lower().endswith(ALLOWED_SUFFIXES):
        raise UploadRejected(NOT_AUDIO)
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            fmt = _format_of(container.format.name)
            if fmt is None or not container.streams.audio:
                raise UploadRejected(NOT_AUDIO)
            # The first frame must decode: a renamed text file or a truncated header fails here.
            next(container.decode(audio=0))
            seconds = container.duration / 1_000_000 if container.duration else None
    except UploadRejected:
        raise
    except (av.FFmpegError, StopIteration, ValueError, OSError) as exc:
        raise UploadRejected(NOT_AUDIO) from exc
    return AudioInfo(format=fmt, seconds=seconds)


def decode_pcm16(data: bytes, sample_rate: int = 16_000) -> bytes:
    """The whole file as 16-bit mono PCM at ``sample_rate`` (what the ASR engines take)."""
    import av

    resampler = av.AudioResampler(format="s16", layout="mono", rate=sample_rate)
    out = bytearray()
    with av.open(io.BytesIO(data), mode="r") as container:
        for frame in container.decode(audio=0):
            for converted in resampler.resample(frame):
                out += bytes(converted.planes[0])[: converted.samples * 2]
    for converted in resampler.resample(None):
        out += bytes(converted.planes[0])[: converted.samples * 2]
    return bytes(out)
