"""`madoguchi faq …`: the predict contract through a real process (as the acceptance script calls
it), the other commands in process with typer's runner."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli.faq import app

from .conftest import DEV_SET

ROOT = Path(__file__).resolve().parents[2]


def _madoguchi(*args: str, stdin: str = "") -> Any:
    return CliRunner().invoke(app, list(args), input=stdin)


def test_predict_contract_through_the_console_script() -> None:
    lines = [
        {"text": "固定資産税の納期はいつですか"},
        {"text": "人と話したいです"},
        {"text": "納付書をなくしたので再発行してほしい"},
        {"text": ""},
        {"text": "燃えるゴミの収集日は何曜日ですか"},
    ]
    result = subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", "faq", "predict"],
        input="".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == len(lines)
    assert all(set(o) == {"faq_id", "score", "action"} for o in out)
    assert out[0] == {"faq_id": "KOTEI-003", "score": out[0]["score"], "action": "answer"}
    assert out[1] == {"faq_id": None, "score": 0.0, "action": "transfer"}
    assert (out[2]["faq_id"], out[2]["action"]) == ("NOFU-006", "transfer")  # staff answer this FAQ
    assert (out[3]["faq_id"], out[3]["action"]) == (None, "transfer")
    assert (out[4]["faq_id"], out[4]["action"]) == (None, "transfer")


def test_predict_rejects_bad_lines_clearly() -> None:
    result = _madoguchi("predict", stdin='{"text": "住民税"}\nnot json\n')
    assert result.exit_code == 2
    assert "stdin line 2" in result.output


def test_predict_with_a_city_kb(tmp_path: Path) -> None:
    kb = tmp_path / "city.csv"
    kb.write_text(
        "id,category,question,variants,answer_voice,answer_text,department,transfer\n"
        "DOG-1,犬,犬の登録はどこでしますか,,環境課です。,環境課の窓口です。,環境課,false\n",
        encoding="utf-8",
    )
    result = _madoguchi("predict", "--kb", str(kb), stdin='{"text": "犬の登録はどこでしますか"}\n')
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.stdout)) == {"faq_id", "score", "action"}


def test_bad_kb_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("faqs: [\n", encoding="utf-8")
    result = _madoguchi("predict", "--kb", str(bad), stdin="")
    assert result.exit_code == 2
    assert "invalid YAML" in result.output


def test_eval_prints_the_metrics() -> None:
    result = _madoguchi("eval", str(DEV_SET))
    assert result.exit_code == 0, result.output
    for needle in (
        "in-scope top-1",
        "wrong-answer rate",
        "out-of-scope/human-request transferred",
        "style misrecognized",
        "latency per utterance: p50",
    ):
        assert needle in result.stdout


@pytest.mark.parametrize(
    ("text", "needle"),
    [("固定資産税の納期はいつですか", "answer:"), ("人と話したい", "human_request"), ("水道料金を払いたい", "水道局")],
)
def test_ask(text: str, needle: str) -> None:
    result = _madoguchi("ask", text)
    assert result.exit_code == 0, result.output
    assert needle in result.stdout
