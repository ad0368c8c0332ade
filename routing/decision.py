"""The routing decision: the crisis layer first, then Rasa's intent ranking turned into windows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from routing.crisis import ALWAYS, BOOSTED_KINDS, WINDOW_BY_KIND, CrisisAssessment, CrisisDetector, CrisisKind
from routing.lexical import LexicalRanker
from routing.rasa_client import IntentScore, NluResult, RasaClient
from routing.windows import NeedMap

FALLBACK_INTENT = "nlu_fallback"


@dataclass(frozen=True)
class RoutingDecision:
    windows: tuple[str, ...]  # recommended window ids, best first (empty: not a welfare question)
    crisis: bool
    crisis_lines: tuple[str, ...]  # shown before anything else when crisis is true
    crisis_kinds: tuple[CrisisKind, ...]
    intent: str | None  # the model's best intent (after dropping nlu_fallback)
    confidence: float
    out_of_scope: bool
    needs_clarification: bool  # vague message: ask what the worry is about (quick replies)
    # the top intent was "out of scope" but below the policy's confidence: windows are offered anyway
    unsure_out_of_scope: bool = False


@dataclass(frozen=True)
class RankingPolicy:
    max_windows: int = 3
    # weight of a need's 2nd, 3rd … window relative to its first
    position_decay: float = 0.5
    # windows scoring below this share of the best window are not shown (0: always offer max_windows)
    relative_floor: float = 0.0
    # below this confidence a top "conversation" intent (unclear, greet…) still yields windows
    conversation_confidence: float = 0.5
    # score added to the window that serves a detected crisis kind (suicide → mental health, DV → DV center)
    crisis_boost: float = 0.5
    # weight of the lexical ranker's need distribution added to the Rasa classifier's confidence
    # (0: the classifier alone);
    # calibrated on held-out training examples (routing/rasa/tools/calibrate_lexical.py), not on dev
    lexical_weight: float = 0.75
    # "not a welfare question" only when the classifier is this sure; below it a welfare need that
    # comes second is still offered (telling a resident with a real worry to call the general line
    # costs more than showing windows to someone who asked about garbage)
    out_of_scope_confidence: float = 0.2
    # in a crisis the emergency numbers (110/119) are already shown above everything else: the
    # window cards then carry the welfare windows that help next, not the same numbers again
    emergency_windows: tuple[str, ...] = ALWAYS


class Router:
    def __init__(
        self,
        client: RasaClient,
        needs: NeedMap,
        crisis: CrisisDetector,
        policy: RankingPolicy | None = None,
        lexical: LexicalRanker | None = None,
    ) -> None:
        self._client = client
        self._needs = needs
        self._crisis = crisis
        self._policy = policy or RankingPolicy()
        self._lexical = lexical

    def decide(self, text: str) -> RoutingDecision:
        # The crisis layer runs first and does not depend on the classifier answering.
        assessment = self._crisis.assess(text)
        nlu = self._client.parse(text)
        lexical = self._lexical.scores(text) if self._lexical and self._policy.lexical_weight else None
        return self.combine(assessment, nlu, lexical)

    def combine(
        self,
        assessment: CrisisAssessment,
        nlu: NluResult,
        lexical: Mapping[str, float] | None = None,
    ) -> RoutingDecision:
        """Pure: crisis first; out-of-scope and conversation decided by the classifier's top intent alone; the
        windows ranked by the classifier's confidence plus lexical_weight × the lexical ranker's need scores."""
        ranking = [score for score in nlu.ranking if score.name != FALLBACK_INTENT]
        top = ranking[0] if ranking else None
        top_name = top.name if top else None
        out_of_scope = (
            top is not None
            and top.name in self._needs.out_of_scope
            and top.confidence >= self._policy.out_of_scope_confidence
            and not assessment.is_crisis
        )
        unsure_out_of_scope = top is not None and top.name in self._needs.out_of_scope and not out_of_scope
        if unsure_out_of_scope:
            ranking = ranking[1:]
        conversational = (
            top is not None
            and top.name not in self._needs.windows_by_need
            and top.name not in self._needs.out_of_scope
            and top.confidence >= self._policy.conversation_confidence
        )
        windows: list[str] = []
        if not out_of_scope and not (conversational and not assessment.is_crisis):
            windows = self._rank_windows(self._blend(ranking, lexical), assessment)
        if assessment.is_crisis and not windows:
            windows = [WINDOW_BY_KIND[kind] for kind in assessment.kinds]
            windows = list(dict.fromkeys(windows))[: self._policy.max_windows]
        return RoutingDecision(
            windows=tuple(windows),
            crisis=assessment.is_crisis,
            crisis_lines=assessment.lines,
            crisis_kinds=assessment.kinds,
            intent=top_name,
            confidence=top.confidence if top else 0.0,
            out_of_scope=out_of_scope,
            needs_clarification=conversational and top_name == "unclear" and not assessment.is_crisis,
            unsure_out_of_scope=unsure_out_of_scope and not assessment.is_crisis,
        )

    def _blend(self, ranking: list[IntentScore], lexical: Mapping[str, float] | None) -> list[IntentScore]:
        weight = self._policy.lexical_weight
        if not lexical or not weight:
            return ranking
        # (classifier + w × lexical) / (1 + w): the same 0–1 scale as the classifier alone, so the crisis
        # boost keeps its strength
        blended = {score.name: score.confidence for score in ranking}
        for need in self._needs.windows_by_need:
            if need in lexical:
                blended[need] = blended.get(need, 0.0) + weight * lexical[need]
        blended = {name: value / (1.0 + weight) for name, value in blended.items()}
        return [IntentScore(name, value) for name, value in sorted(blended.items(), key=lambda item: -item[1])]

    def _rank_windows(self, ranking: list[IntentScore], assessment: CrisisAssessment) -> list[str]:
        scores: dict[str, float] = {}
        for kind in assessment.kinds:
            if kind in BOOSTED_KINDS:
                window_id = WINDOW_BY_KIND[kind]
                scores[window_id] = scores.get(window_id, 0.0) + self._policy.crisis_boost
        for score in ranking:
            for position, window_id in enumerate(self._needs.windows_by_need.get(score.name, ())):
                weight = score.confidence * self._policy.position_decay**position
                scores[window_id] = scores.get(window_id, 0.0) + weight
        if not scores:
            return []
        if assessment.is_crisis:
            welfare = {w: s for w, s in scores.items() if w not in self._policy.emergency_windows}
            scores = welfare or scores
        best = max(scores.values())
        ordered = sorted(scores.items(), key=lambda item: -item[1])
        return [w for w, s in ordered if s >= best * self._policy.relative_floor][: self._policy.max_windows]
