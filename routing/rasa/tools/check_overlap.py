"""List training examples that are near-duplicates of evaluation messages (character 3-gram Jaccard).

The evaluation messages are for measuring, never for training:

    python3 routing/rasa/tools/check_overlap.py tests/data/routing/routing_dev.jsonl [threshold]
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "nlu"


def grams(text: str) -> set[str]:
    flat = re.sub(r"\s+", "", text)
    return {flat[i : i + 3] for i in range(max(len(flat) - 2, 1))}


def examples() -> list[tuple[str, str]]:
    found = []
    for path in sorted(DATA.glob("*.yml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith("- ") and not stripped.startswith("- intent:"):
                text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", stripped[2:])
                found.append((path.name, text))
    return found


def main() -> int:
    threshold = float(sys.argv[2]) if len(sys.argv) > 2 else 0.5
    evaluation = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
    eval_grams = [(text, grams(text)) for text in evaluation]
    clashes = 0
    for name, text in examples():
        g = grams(text)
        for other, og in eval_grams:
            similarity = len(g & og) / max(len(g | og), 1)
            if similarity > threshold:
                clashes += 1
                print(f"{similarity:.2f} {name}: {text} <-> {other}")
    print(f"{clashes} near-duplicates above {threshold}")
    return 1 if clashes else 0


if __name__ == "__main__":
    raise SystemExit(main())
