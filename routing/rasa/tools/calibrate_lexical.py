"""Calibrate the lexical ranker and its blend weight on held-out TRAINING examples (never the dev set).

Run in the main env with `make rasa` serving:  .venv/bin/python routing/rasa/tools/calibrate_lexical.py
20% of the NLU training lines (fixed seed) are held out; the lexical ranker is fit on the other 80%.
Its temperature is chosen by log-loss on the held-out lines; the blend weight by the window metrics of
the held-out lines. DIET's ranking comes from the running server, whose model saw these lines, so DIET
alone is optimistic here: the weight chosen is the largest that does not lower DIET's held-out top-1.
"""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from routing.crisis import CrisisDetector  # noqa: E402
from routing.decision import RankingPolicy, Router  # noqa: E402
from routing.evaluation import LabelledMessage, Prediction, score  # noqa: E402
from routing.lexical import LexicalRanker, load_nlu_examples, sudachi_analyzer  # noqa: E402
from routing.rasa_client import HttpRasaClient, IntentScore, NluResult  # noqa: E402
from routing.windows import NeedMap, WindowsDirectory  # noqa: E402


def main() -> None:
    examples = load_nlu_examples((ROOT / "routing/rasa/data/nlu").glob("*.yml"))
    rng = random.Random(6)
    order = list(range(len(examples)))
    rng.shuffle(order)
    cut = len(order) // 5
    held = [examples[i] for i in order[:cut]]
    train = [examples[i] for i in order[cut:]]
    directory = WindowsDirectory.load(ROOT / "routing/data/windows.yaml")
    needs = NeedMap.load(ROOT / "routing/data/needs.yaml", directory)
    crisis = CrisisDetector(directory)
    client = HttpRasaClient("http://127.0.0.1:5005", timeout_seconds=30)
    ranker = LexicalRanker(train, analyzer=sudachi_analyzer())
    print(f"{len(examples)} examples, {len(held)} held out")

    sims = [ranker.similarities(text) for text, _ in held]
    best_t, best_loss = 0.0, math.inf
    for t in (0.01, 0.02, 0.03, 0.05, 0.08, 0.12, 0.2):
        loss = 0.0
        for sim, (_, intent) in zip(sims, held, strict=True):
            z = {k: v / t for k, v in sim.items()}
            m = max(z.values())
            log_norm = m + math.log(sum(math.exp(v - m) for v in z.values()))
            loss += log_norm - z[intent]
        loss /= len(held)
        print(f"temperature {t:<5} log-loss {loss:.3f}")
        if loss < best_loss:
            best_t, best_loss = t, loss
    ranker.temperature = best_t
    lex_top1 = sum(max(s, key=s.__getitem__) == intent for s, (_, intent) in zip(sims, held, strict=True))
    print(f"chosen temperature {best_t}; lexical intent top-1 on held-out {lex_top1 / len(held):.3f}")

    rows = []
    for text, intent in held:
        gold_windows = needs.windows_by_need.get(intent)
        if gold_windows is None and intent not in needs.out_of_scope:
            continue  # conversation intents (greet, unclear…) have no windows to rank
        gold = LabelledMessage(text, gold_windows or (), False)
        rows.append((gold, crisis.assess(text), client.parse(text), ranker.scores(text)))
    print(f"{len(rows)} held-out need / out-of-scope lines scored")
    for weight in (0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0):
        router = Router(client, needs, crisis, RankingPolicy(lexical_weight=weight))
        pairs = []
        for gold, assessment, nlu, lexical in rows:
            d = router.combine(assessment, nlu, lexical)
            pairs.append((gold, Prediction(d.windows, d.crisis)))
        m = score(pairs)
        second = sum(
            len(p.windows) > 1 and len(g.windows) > 1 and g.windows[1] in p.windows[:3] for g, p in pairs
        ) / max(sum(len(g.windows) > 1 for g, _ in pairs), 1)
        print(
            f"w={weight:<4} top1 {m.top1_acceptable:.3f} top3 {m.best_in_top3:.3f} "
            f"oos {m.out_of_scope_accuracy:.3f} need's 2nd window in top3 {second:.3f}"
        )
    # truly held out: the lexical ranker alone, its distribution standing in for DIET's ranking
    router = Router(client, needs, crisis)
    pairs = []
    for gold, assessment, nlu, lexical in rows:
        ranking = tuple(IntentScore(k, v) for k, v in sorted(lexical.items(), key=lambda kv: -kv[1]))
        d = router.combine(assessment, NluResult(ranking[0], ranking), None)
        pairs.append((gold, Prediction(d.windows, d.crisis)))
    m = score(pairs)
    print(f"lexical alone: top1 {m.top1_acceptable:.3f} top3 {m.best_in_top3:.3f} oos {m.out_of_scope_accuracy:.3f}")


if __name__ == "__main__":
    main()
