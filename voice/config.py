"""The voice configuration file (departments and their numbers, transfer mode, TTS voice)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from voice.errors import VoiceConfigError
from voice.flow import FlowConfig
from voice.prompts import Prompts

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "voice.yaml"


@dataclass(frozen=True)
class VoiceConfig:
    city: str
    departments: dict[str, str]
    default_department: str
    transfer_mode: str
    queue: str
    tts_voice: str
    hint_limit: int

    def flow_config(self, recording_enabled: bool) -> FlowConfig:
        return FlowConfig(departments=self.departments, default_department=self.default_department,
                          transfer_mode=self.transfer_mode, queue=self.queue,
                          recording_enabled=recording_enabled, hint_limit=self.hint_limit,
                          prompts=Prompts(city=self.city))


def load_voice_config(path: Path = DEFAULT_PATH) -> VoiceConfig:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        transfer = raw.get("transfer", {})
        speech = raw.get("speech", {})
        departments = {str(k): str(v) for k, v in (transfer.get("departments") or {}).items()}
        default = str(transfer["default_department"])
        mode = str(transfer.get("mode", "dial"))
    except (OSError, yaml.YAMLError, KeyError, AttributeError) as exc:
        raise VoiceConfigError(f"cannot read voice config {path}: {exc}") from exc
    if default not in departments:
        raise VoiceConfigError(f"{path}: default_department {default!r} has no number under departments")
    if mode not in ("dial", "enqueue"):
        raise VoiceConfigError(f"{path}: transfer.mode must be dial or enqueue, not {mode!r}")
    return VoiceConfig(city=str(raw.get("city", "みらい市")), departments=departments, default_department=default,
                       transfer_mode=mode, queue=str(transfer.get("queue", "tax")),
                       tts_voice=str(speech.get("voice", "Polly.Mizuki")),
                       hint_limit=int(speech.get("hint_limit", 60)))
