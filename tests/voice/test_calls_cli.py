"""`madoguchi voice chat` and `madoguchi voice urls` (the real flow and FAQ, nothing stored)."""

from __future__ import annotations

from typer.testing import CliRunner

from app.cli.voice import app


def test_chat_answers_and_says_goodbye() -> None:
    script = "住民税の納期はいつですか\nありません\n"
    result = CliRunner().invoke(app, ["chat", "--office-hours", "always"], input=script)
    assert result.exit_code == 0, result.output
    assert "AI自動応答" in result.output and "6月30日" in result.output and "結果: resolved" in result.output


def test_chat_transfer_shows_the_whisper() -> None:
    result = CliRunner().invoke(app, ["chat", "--office-hours", "always"], input="#0\n")
    assert "[転送] 税務総務課 +81300001000" in result.output and "結果: transferred" in result.output


def test_urls() -> None:
    result = CliRunner().invoke(app, ["urls"], env={"MADOGUCHI_PUBLIC_BASE_URL": "https://voice.example.jp"})
    assert result.exit_code == 0
    assert "/voice/incoming" in result.output and "/voice/status" in result.output
