from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from masking.detection import PiiDetector
from masking.detection.detector import chunks


def test_detection_is_a_pure_library() -> None:
    code = (
        "import sys, masking.detection, masking.anonymize;"
        "bad=[m for m in sys.modules"
        " if m.split('.')[0] in ('fastapi','sqlalchemy','starlette') or m.startswith('core.db')];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_long_text_is_chunked_below_the_sudachi_limit(detector: PiiDetector) -> None:
    line = "相談者：今日は特に変わったことはありません。様子を見ています。\n"
    text = line * 600 + "相談者：携帯は090-6674-2051です。\n"
    assert len(text.encode("utf-8")) > 49_149
    assert all(len(piece.encode("utf-8")) <= 40_000 for _, piece in chunks(text))
    spans = detector.detect(text)
    assert [text[s.start : s.end] for s in spans] == ["090-6674-2051"]


def test_batch_matches_single(detector: PiiDetector) -> None:
    texts = ["相談者：桑原 美咲です。", "", "電話 は ゼロ はち ゼロ の いち に さん よん の ご ろく なな はち です"]
    assert detector.detect_batch(texts) == [detector.detect(t) for t in texts]


def test_predict_cli_contract() -> None:
    from app.cli.mask import app

    stdin = "\n".join(json.dumps({"text": t}, ensure_ascii=False) for t in ["携帯は090-6674-2051です。", "なし"]) + "\n"
    result = CliRunner().invoke(app, ["predict"], input=stdin)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert lines[0] == {
        "spans": [{"label": "PHONE_NUMBER", "start": 3, "end": 16}],
        "masked_text": "携帯は【電話番号1】です。",
    }
    assert lines[1] == {"spans": [], "masked_text": "なし"}


def test_one_detector_serves_several_threads(detector: PiiDetector) -> None:
    # the chat gateway masks in a thread pool with the process's one detector; GiNZA's Sudachi tokenizer
    # raised "RuntimeError: Already borrowed" when two threads used it at once
    from concurrent.futures import ThreadPoolExecutor

    texts = ["山田花子です。電話は090-1234-5678です。", "母の介護のことで相談したいです。"] * 30
    expected = [detector.detect(text) for text in texts[:2]]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(detector.detect, texts))
    assert results == expected * 30
