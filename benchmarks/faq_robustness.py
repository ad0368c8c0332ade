"""How the FAQ ranking holds up when the development lines are made to look like worse ASR output.

    .venv/bin/python benchmarks/faq_robustness.py tests/data/faq/faq_dev.jsonl

Each in-scope line is re-written three ways (three random seeds each), then ranked; the number is
top-1 of the gold FAQ among the FAQs (before thresholds):

* spaces:        a space between every word, as Vosk writes;
* no particles:  half of the particles dropped (ASR and hurried callers lose them);
* kana nouns:    30 % / 60 % of the nouns written in hiragana, as a recognizer writes words it does
                 not know (住民税 → じゅうみんぜい);
* all:           spaces, half the particles dropped and 30 % of the nouns in kana.

The phenomena of the held-out set, applied to lines whose answers we know.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from faq import FaqMatcher, load_kb
from faq.analysis import Analyzer, default_analyzer
from faq.evaluation import Example, load_examples
from faq.normalize import to_hiragana


def asr_like(analyzer: Analyzer, text: str, rng: random.Random, kana: float, drop: float, spaces: bool) -> str:
    words = []
    for morpheme in analyzer._tokenize(text):
        pos = morpheme.part_of_speech()[0]
        if pos == "補助記号" or (pos == "助詞" and rng.random() < drop):
            continue
        surface = morpheme.surface()
        if pos == "名詞" and rng.random() < kana:
            surface = to_hiragana(morpheme.reading_form())
        words.append(surface)
    return (" " if spaces else "").join(words)


def top1(matcher: FaqMatcher, examples: list[Example], texts: list[str]) -> float:
    hits = sum(matcher.candidates(t, 1)[0].faq_id == e.faq_id for e, t in zip(examples, texts, strict=True))
    return hits / len(examples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path)
    args = parser.parse_args()
    analyzer = default_analyzer()
    matcher = FaqMatcher(load_kb(), analyzer=analyzer)
    examples = [e for e in load_examples(args.file) if e.faq_id]
    print(f"{'rewrite':24s} top-1 (seeds 0, 1, 2)")
    print(f"{'as recorded':24s} {top1(matcher, examples, [e.text for e in examples]):.3f}")
    for name, kana, drop, spaces in (
        ("spaces", 0.0, 0.0, True),
        ("no particles (half)", 0.0, 0.5, False),
        ("kana nouns 30%", 0.3, 0.0, True),
        ("kana nouns 60%", 0.6, 0.0, True),
        ("all", 0.3, 0.5, True),
    ):
        scores = []
        for seed in range(3):
            rng = random.Random(seed)
            texts = [asr_like(analyzer, e.text, rng, kana, drop, spaces) for e in examples]
            scores.append(top1(matcher, examples, texts))
        print(f"{name:24s} " + ", ".join(f"{s:.3f}" for s in scores))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
