"""``FaqMatcher``: from one caller utterance to a decision — answer, clarify, or transfer.

Rules, in order (the first that applies wins):

1. nothing usable was said                        → transfer, ``empty``
2. the caller asks for a person                   → transfer, ``human_request``
3. an out-of-scope subject ranks above every FAQ (and scores at least ``clarify``)
                                                  → transfer, ``out_of_scope`` (``referral`` names the office)
4. the best FAQ scores below ``clarify``          → transfer, ``low_confidence``
5. the best FAQ is a ``transfer: true`` FAQ        → transfer, ``transfer_faq`` (``faq`` set: staff know the topic)
6. the caller names no tax but the best FAQ is about one, and an FAQ about another tax is within
   ``topic_margin`` (relative)                      → clarify between them (「軽自動車税のことですか、
   住民税のことですか」), ``close_candidates``
7. best ≥ ``answer`` and the runner-up is ≥ ``margin`` (relative) below → answer, ``confident``
8. otherwise the bot asks before answering (clarify): an either/or question when the runner-up is
   within ``clarify_margin`` (relative), ``close_candidates``; a yes/no confirmation of the best FAQ
   when it is clearly first but not sure enough to answer, ``unsure``. ``clarify_options`` is
   (best, runner-up) in both cases, for ``faq.resolve_clarify``.

Answering the wrong FAQ is worse than a transfer, so thresholds are calibrated for a low wrong-answer
rate first (see benchmarks/faq_calibrate.py and BENCHMARKS.md).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from faq.analysis import Analyzer, default_analyzer
from faq.clarify import clarify_question, confirm_question
from faq.config import DEFAULT_THRESHOLDS_PATH, load_thresholds
from faq.human import is_human_request
from faq.model import Candidate, Decision, Faq, KnowledgeBase, Thresholds
from faq.normalize import normalize_text
from faq.ranker import Ranker, RankerParams, Ranking
from faq.scope import DEFAULT_SCOPE_PATH, ScopeEntry, load_scope

N_CANDIDATES = 5
# Nouns every caller says anyway: not worth a recognizer hint.
_GENERIC_NOUNS = frozenset(
    "とき 時 場合 必要 こと もの 方 今年 去年 来年 自分 いくら 方法 途中".split()
    + "どこ いつ 何 人 ため 以上 以下 前 後 今 毎年".split()
)


class FaqMatcher:
    """Matches utterances against one knowledge base. Immutable: build a new one after KB edits.

    ``scope_path=None`` disables the out-of-scope directory; ``analyzer`` may be shared between
    matchers (it holds the tokenizer and the synonym table).
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        thresholds: Thresholds | None = None,
        *,
        analyzer: Analyzer | None = None,
        scope_path: Path | None = DEFAULT_SCOPE_PATH,
        params: RankerParams | None = None,
    ) -> None:
        self.kb = kb
        if thresholds is None:
            thresholds = load_thresholds(DEFAULT_THRESHOLDS_PATH) if DEFAULT_THRESHOLDS_PATH.exists() else Thresholds()
        self.thresholds = thresholds
        self.analyzer = analyzer or default_analyzer()
        self.scope: tuple[ScopeEntry, ...] = load_scope(scope_path)
        self.ranker = Ranker(kb.faqs, self.scope, self.analyzer, params)

    def candidates(self, text: str, limit: int = N_CANDIDATES) -> list[Candidate]:
        """FAQs best first (out-of-scope subjects left out), without any decision."""
        ranking = self.ranker.rank(text)
        return [Candidate(self.kb.faqs[i].id, round(float(ranking.scores[i]), 4)) for i in ranking.top_faqs(limit)]

    def decide(self, text: str, thresholds: Thresholds | None = None) -> Decision:
        """The decision for one utterance (``thresholds`` overrides the matcher's, for calibration)."""
        early = self.screen(text)
        if early is not None:
            return early
        return self.decide_ranking(self.ranker.rank(text), thresholds or self.thresholds)

    def screen(self, text: str) -> Decision | None:
        """Rules 1–2, which need no ranking: empty input, a request for a person."""
        normalized = normalize_text(text)
        if not normalized:
            return Decision(action="transfer", reason="empty", score=0.0, normalized=normalized)
        if is_human_request(text):
            return Decision(action="transfer", reason="human_request", score=0.0, normalized=normalized)
        return None

    def decide_ranking(self, ranking: Ranking, t: Thresholds) -> Decision:
        """Rules 3–8 on a ranking."""
        normalized = ranking.analysis.normalized
        if not ranking.analysis.features:
            return Decision(action="transfer", reason="empty", score=0.0, normalized=normalized)
        n_faqs = self.ranker.n_faqs
        scores = ranking.scores
        faq_order = ranking.top_faqs(N_CANDIDATES)
        candidates = tuple(Candidate(self.kb.faqs[i].id, round(float(scores[i]), 4)) for i in faq_order)
        top = ranking.best_scope()
        if top is not None and scores[top] > scores[faq_order[0]] and scores[top] >= t.clarify:
            return Decision(
                action="transfer",
                reason="out_of_scope",
                score=round(float(scores[top]), 4),
                candidates=candidates,
                referral=self.scope[top - n_faqs],
                normalized=normalized,
            )
        best = self.kb.faqs[faq_order[0]]
        s1 = float(scores[faq_order[0]])
        s2 = float(scores[faq_order[1]]) if len(faq_order) > 1 else 0.0
        gap = 1.0 - s2 / s1 if s1 > 0 else 0.0
        score = round(s1, 4)
        if s1 < t.clarify:
            return Decision("transfer", "low_confidence", score, candidates=candidates, normalized=normalized)
        if best.transfer:
            return Decision("transfer", "transfer_faq", score, faq=best, candidates=candidates, normalized=normalized)
        rival = self._other_tax(ranking, faq_order, t)
        if rival is not None:
            return Decision(
                "clarify",
                "close_candidates",
                score,
                faq=best,
                candidates=candidates,
                clarify_question=clarify_question(best, rival),
                clarify_options=(best, rival),
                normalized=normalized,
            )
        if s1 >= t.answer and gap >= t.margin:
            return Decision("answer", "confident", score, faq=best, candidates=candidates, normalized=normalized)
        if len(faq_order) < 2:  # a one-FAQ KB has no second option to offer
            return Decision("transfer", "low_confidence", score, candidates=candidates, normalized=normalized)
        second = self.kb.faqs[faq_order[1]]
        close = gap < t.clarify_margin
        return Decision(
            "clarify",
            "close_candidates" if close else "unsure",
            score,
            faq=best,
            candidates=candidates,
            clarify_question=clarify_question(best, second) if close else confirm_question(best),
            clarify_options=(best, second),
            normalized=normalized,
        )

    def _other_tax(self, ranking: Ranking, faq_order: list[int], t: Thresholds) -> Faq | None:
        """For a question that names no tax, the best FAQ about another tax than the best FAQ's,
        when it is within ``topic_margin`` of the best (then the bot asks which tax is meant)."""
        topics = self.ranker.entry_topics
        best = faq_order[0]
        if ranking.analysis.topics or not topics[best] or not t.topic_margin:
            return None
        floor = float(ranking.scores[best]) * (1.0 - t.topic_margin)
        for other in faq_order[1:]:
            if float(ranking.scores[other]) < floor:
                return None
            if topics[other] and not topics[other] & topics[best]:
                return self.kb.faqs[other]
        return None

    def speech_hints(self, limit: int = 100) -> list[str]:
        """Words of this KB worth biasing the recognizer toward (Twilio ``<Gather hints>``):
        nouns of the questions and variants, the ones shared by most FAQs first."""
        counts: Counter[str] = Counter()
        for faq in self.kb:
            counts.update(set(self.analyzer.nouns(" ".join(faq.texts))) - _GENERIC_NOUNS)
        ranked = sorted(counts, key=lambda w: (-counts[w], -len(w), w))
        return ranked[:limit]

    def faq(self, faq_id: str) -> Faq | None:
        return self.kb.get(faq_id)
