"""Encryption at rest for raw transcripts, audio and mask mappings (Fernet, key rotation)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class DecryptionError(RuntimeError):
    """Stored data could not be decrypted: wrong MADOGUCHI_DATA_KEY or damaged data."""


class DataCipher:
    """Encrypts with the first key; decrypts with any (old keys stay readable during rotation)."""

    def __init__(self, keys: str) -> None:
        parts = [k.strip() for k in keys.split(",") if k.strip()]
        if not parts:
            raise ValueError("MADOGUCHI_DATA_KEY is empty; generate one with `madoguchi keys new`")
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in parts])
        except ValueError as exc:
            raise ValueError(
                "MADOGUCHI_DATA_KEY must be one or more comma-separated Fernet keys "
                "(generate one with `madoguchi keys new`)"
            ) from exc

    def encrypt(self, data: bytes) -> bytes:
        return self._fernet.encrypt(data)

    def decrypt(self, token: bytes) -> bytes:
        try:
            return self._fernet.decrypt(token)
        except InvalidToken as exc:
            raise DecryptionError("stored data could not be decrypted with MADOGUCHI_DATA_KEY") from exc

    def encrypt_text(self, text: str) -> bytes:
        return self.encrypt(text.encode("utf-8"))

    def decrypt_text(self, token: bytes) -> str:
        return self.decrypt(token).decode("utf-8")


def new_key() -> str:
    return Fernet.generate_key().decode()
