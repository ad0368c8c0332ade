"""Builds the configured ASR engine from Settings (composition; the engines take explicit arguments)."""

from __future__ import annotations

from pathlib import Path

from core.settings import Settings
from voice.asr.base import AsrEngine

VOSK_JA_DIR = "vosk-model-small-ja-0.22"
WHISPER_DIR = "whisper-base"

# Whisper's decoder is steered towards the call's vocabulary by a prompt, written as the kind of talk it
# precedes (a tax line's opening and typical requests): generic to a municipal tax line, no caller text.
# Chosen on the development audio among two wordings (CER 0.167 → 0.133 with beam 5; no prompt: 0.236).
DEFAULT_WHISPER_PROMPT = (
    "はい、市役所、税の電話窓口です。住民税の納付書が届かないんですが。固定資産税の支払いの期限はいつまでですか。"
    "軽自動車税の減免や、国民健康保険税、課税証明書、還付金について聞きたいです。職員の人と話したいです。"
)


def _configured(path: Path | None) -> Path | None:
    return path if path is not None and str(path) not in ("", ".") else None  # an empty env var parses as "."


def vosk_model_path(settings: Settings) -> Path:
    return _configured(settings.vosk_model_path) or settings.data_dir / "models" / VOSK_JA_DIR


def whisper_model_dir(settings: Settings) -> Path:
    return _configured(settings.whisper_model_dir) or settings.data_dir / "models" / WHISPER_DIR


def build_asr_engine(settings: Settings) -> AsrEngine:
    engine = settings.asr_engine
    if engine == "vosk":
        from voice.asr.vosk_local import VoskEngine

        return VoskEngine(vosk_model_path(settings), pool_size=settings.asr_pool_size)
    if engine == "vosk-server":
        from voice.asr.vosk_server import VoskServerEngine

        return VoskServerEngine(settings.vosk_server_url)
    from voice.asr.whisper import WhisperEngine

    return WhisperEngine(whisper_model_dir(settings), cpu_threads=settings.whisper_cpu_threads,
                         initial_prompt=settings.asr_prompt or DEFAULT_WHISPER_PROMPT)
