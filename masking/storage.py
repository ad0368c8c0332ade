"""Raw consultation audio on disk, encrypted (DataCipher), under ``data_dir/masking/audio``."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from core.crypto import DataCipher

AUDIO_DIR = Path("masking") / "audio"


class AudioStore:
    def __init__(self, data_dir: Path, cipher: DataCipher) -> None:
        self.data_dir = data_dir
        self.cipher = cipher

    def save(self, data: bytes) -> str:
        """Encrypt and write; returns the path relative to ``data_dir`` (a random name, no metadata)."""
        folder = self.data_dir / AUDIO_DIR
        folder.mkdir(parents=True, exist_ok=True)
        relative = AUDIO_DIR / f"{secrets.token_hex(16)}.enc"
        target = self.data_dir / relative
        partial = target.with_suffix(".part")
        partial.write_bytes(self.cipher.encrypt(data))
        os.replace(partial, target)  # a crash leaves a .part file, never a half-written .enc
        return relative.as_posix()

    def load(self, relative: str) -> bytes:
        return self.cipher.decrypt(self._path(relative).read_bytes())

    def delete(self, relative: str) -> bool:
        path = self._path(relative)
        if path.exists():
            path.unlink()
            return True
        return False

    def _path(self, relative: str) -> Path:
        path = (self.data_dir / relative).resolve()
        if not path.is_relative_to((self.data_dir / AUDIO_DIR).resolve()):
            raise ValueError("audio path outside the audio folder")
        return path
