"""One settings object for the whole application (env prefix ``MADOGUCHI_``).

Domain classes never read the environment: the composition layer builds them from this
object. Every setting is documented in ``.env.example``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "dev-secret", "development-only-secret"})
DEV_SECRET = "development-only-secret"  # noqa: S105 (refused in production)
# A valid Fernet key that is public: fine for a laptop, refused in production.
DEV_DATA_KEY = "ZGV2ZWxvcG1lbnQtb25seS1rZXktZG8tbm90LXVzZT0="

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class InsecureSettingsError(RuntimeError):
    """Production mode was started with a placeholder secret."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MADOGUCHI_", env_file=".env", extra="ignore")

    # --- core ---
    env: Literal["development", "test", "production"] = "development"
    secret_key: SecretStr = SecretStr(DEV_SECRET)
    data_key: SecretStr = SecretStr(DEV_DATA_KEY)
    data_dir: Path = PROJECT_ROOT / "var"
    database_url: str = ""
    log_level: str = "INFO"
    # /metrics: empty = only clients on the loopback address; set = `Authorization: Bearer <token>` from anywhere
    metrics_token: SecretStr = SecretStr("")

    # --- jobs ---
    queue_backend: Literal["sqlite", "redis", "immediate"] = "sqlite"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # A running job's lease is refreshed every third of this; a lease this old means its worker died.
    job_lease_seconds: float = 60.0
    # A job is given up (with an error result) once its worker has died under it more than this many times.
    job_max_recoveries: int = 5

    # --- staff console ---
    session_max_age_seconds: int = 8 * 3600
    login_max_attempts: int = 5
    login_window_seconds: int = 300
    # memory: counted in each app process; redis (at redis_url): shared by every app instance.
    ratelimit_backend: Literal["memory", "redis"] = "memory"

    # --- faq ---
    faq_kb_path: Path = PROJECT_ROOT / "faq" / "data" / "tax_faq.yaml"
    # how often each process looks at the KB file for an edit made by another process (0: on every question)
    faq_kb_check_seconds: float = Field(default=5.0, ge=0)

    # --- voice ---
    public_base_url: str = "http://127.0.0.1:8000"
    twilio_auth_token: SecretStr = SecretStr(DEV_SECRET)
    twilio_account_sid: str = "AC00000000000000000000000000000000"
    twilio_api_base: str = "https://api.twilio.com"
    voice_asr: Literal["gather", "stream"] = "gather"
    office_hours: str = "weekdays 08:45-17:30"
    recording_enabled: bool = False
    voice_config_path: Path = PROJECT_ROOT / "voice" / "data" / "voice.yaml"  # departments, numbers, transfer
    # stream path (on premises): ASR engine, models, endpointing, how replies are spoken
    asr_engine: Literal["vosk", "vosk-server", "whisper"] = "vosk"
    vosk_model_path: Path | None = None  # default: data_dir/models/vosk-model-small-ja-0.22
    vosk_server_url: str = "ws://127.0.0.1:2700"
    asr_pool_size: int = 4  # warm Vosk recognizers kept ready
    whisper_model_dir: Path | None = None  # default: data_dir/models/whisper-base
    whisper_cpu_threads: int = 2
    asr_prompt: str = ""  # whisper: domain words that steer decoding (empty: the built-in tax-line prompt)
    stream_reply: Literal["media", "update"] = "media"  # TTS audio on the stream, or <Say> by call update
    endpoint_silence_ms: int = 700
    aizuchi_max_ms: int = 500

    # --- masking ---
    raw_retention_days: int = 30
    llm_base_url: str = ""
    llm_api_key: SecretStr = SecretStr("")
    llm_model: str = ""
    llm_timeout_seconds: float = 120.0
    consultation_upload_max_mb: int = 200  # audio or transcript file uploaded by staff

    # --- routing ---
    rasa_url: str = "http://127.0.0.1:5005"
    # /readyz checks the Rasa server only when the welfare routing chatbot is switched on.
    rasa_enabled: bool = False
    windows_path: Path = PROJECT_ROOT / "routing" / "data" / "windows.yaml"
    # which windows serve each intent of the Rasa model (edit together with windows_path)
    needs_path: Path = PROJECT_ROOT / "routing" / "data" / "needs.yaml"
    rasa_timeout_seconds: float = 10.0
    # days the chat analytics keep unclear questions (masked text only); the daily counts stay
    routing_analytics_retention_days: int = 90

    @model_validator(mode="after")
    def _defaults_and_production_guard(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'madoguchi.db'}"
        if self.env == "production":
            weak = [
                name
                for name, value in (
                    ("MADOGUCHI_SECRET_KEY", self.secret_key),
                    ("MADOGUCHI_DATA_KEY", self.data_key),
                    ("MADOGUCHI_TWILIO_AUTH_TOKEN", self.twilio_auth_token),
                )
                if value.get_secret_value() in PLACEHOLDER_SECRETS | {DEV_DATA_KEY}
            ]
            if weak:
                raise InsecureSettingsError(
                    "production mode refuses placeholder secrets; set " + ", ".join(weak)
                )
        return self

    @property
    def is_production(self) -> bool:
        return self.env == "production"


@lru_cache
def get_settings() -> Settings:
    return Settings()
