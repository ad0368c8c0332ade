"""Calibrate the crisis model's margin and floor by 5-fold cross-validation on its own training examples.

    .venv/bin/python routing/rasa/tools/calibrate_crisis.py

No evaluation set is read. The model is only asked when no keyword rule fired, and the rules already
catch most crises, so the model's job is extra recall at a small cost: among the settings that flag at
most MAX_FALSE_ALARMS of the calm examples (written hard negatives + everyday NLU lines), take the one
with the highest cross-validated recall (a crisis example given any crisis kind).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from routing.crisis import ReadingConverter  # noqa: E402
from routing.crisis_model import (  # noqa: E402
    CALM,
    CrisisModelSettings,
    CrisisNeighbours,
    crisis_analyzer,
    training_examples,
)
from routing.wiring import NLU_DIR, nlu_examples  # noqa: E402

MAX_FALSE_ALARMS = 0.01
FOLDS = 5
MARGINS = (-0.04, -0.02, 0.0, 0.01, 0.02, 0.03, 0.04, 0.06, 0.08, 0.10)
FLOORS = (0.0, 0.05, 0.10, 0.14, 0.18, 0.22, 0.26, 0.30)


def main() -> None:
    examples = training_examples(nlu_examples=nlu_examples(NLU_DIR))
    random.Random(7).shuffle(examples)
    analyzer = crisis_analyzer(ReadingConverter())
    scored: list[tuple[str, dict[str, float]]] = []
    for fold in range(FOLDS):
        held = examples[fold::FOLDS]
        rest = [e for i, e in enumerate(examples) if i % FOLDS != fold]
        model = CrisisNeighbours(rest, analyzer)
        scored.extend((label, model.similarities(text)) for text, label in held)
    positives = sum(label != CALM for label, _ in scored)
    negatives = len(scored) - positives
    results = []
    for margin in MARGINS:
        for floor in FLOORS:
            settings = CrisisModelSettings(margin=margin, floor=floor)
            flagged = [(label, CrisisNeighbours.decide(sims, settings)) for label, sims in scored]
            tp = sum(label != CALM and kind is not None for label, kind in flagged)
            fp = sum(label == CALM and kind is not None for label, kind in flagged)
            results.append((tp / positives, fp / negatives, margin, floor))
            print(f"margin {margin:.2f} floor {floor:.2f}: recall {tp / positives:.3f}  calm flagged {fp / negatives:.3f}")
    eligible = [r for r in results if r[1] <= MAX_FALSE_ALARMS]
    recall, false_alarms, margin, floor = max(eligible, key=lambda r: (r[0], -r[1], -r[3]))
    print(f"chosen: margin={margin} floor={floor} (recall {recall:.3f}, calm flagged {false_alarms:.3f})")


if __name__ == "__main__":
    main()
