from __future__ import annotations

import pytest

from core.crypto import DataCipher, DecryptionError, new_key


def test_round_trip_and_ciphertext_hides_text() -> None:
    cipher = DataCipher(new_key())
    token = cipher.encrypt_text("090-1234-5678 の山田です")
    assert "山田".encode() not in token and b"090" not in token
    assert cipher.decrypt_text(token) == "090-1234-5678 の山田です"


def test_rotation_keeps_old_data_readable() -> None:
    old, new = new_key(), new_key()
    token = DataCipher(old).encrypt(b"raw transcript")
    assert DataCipher(f"{new},{old}").decrypt(token) == b"raw transcript"
    with pytest.raises(DecryptionError):
        DataCipher(new).decrypt(token)


@pytest.mark.parametrize("bad", ["", "not-a-key", " , "])
def test_bad_key_says_how_to_fix(bad: str) -> None:
    with pytest.raises(ValueError, match="madoguchi keys new"):
        DataCipher(bad)
