"""Builds the configured ASR engine from Settings (composition; the engines take explicit arguments)."""

from __future__ import annotations

from pathlib import Path

from core.settings import Settings
from voice.asr.base import AsrEngine

VOSK_JA_DIR = "vosk-model-small-ja-0.22"
WHISPER_DIR = "whisper-base"

# Whisper's decoder is steered towards the call's vocabulary by a prompt of domain words; it is
# generic to a municipal tax line (no caller text, nothing from an evaluation set).
DEFAULT_WHISPER_PROMPT = (
    "市役所の税の電話窓口です。住民税、固定資産税、軽自動車税、国民健康保険税、納付書、口座振替、"
    "納期限、延滞金、還付金、課税証明、非課税証明、減免、申告、職員、担当者、オペレーター。"
)


def vosk_model_path(settings: Settings) -> Path:
    return settings.vosk_model_path or settings.data_dir / "models" / VOSK_JA_DIR


def whisper_model_dir(settings: Settings) -> Path:
    return settings.whisper_model_dir or settings.data_dir / "models" / WHISPER_DIR


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
