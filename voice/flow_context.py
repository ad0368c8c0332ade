"""The whole per-call state of the flow, serializable to JSON so either speech path can keep it between
events (the gather path stores it encrypted in voice_calls.context_enc)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from voice.events import Outcome
from voice.flow_states import CallState


@dataclass
class CallContext:
    state: CallState = CallState.NEW
    seq: int = 0  # events handled so far; the next event is number seq + 1
    misses: int = 0
    silences: int = 0
    answers: int = 0
    last_question: str | None = None
    last_faq_id: str | None = None
    candidates: list[tuple[str, float]] = field(default_factory=list)
    clarify: tuple[str, str] | None = None
    pending_reason: str | None = None  # why staff were wanted, while a callback is offered
    pending_department: str | None = None
    callback_number: str | None = None
    tries: int = 0
    repeat: list[dict[str, Any]] = field(default_factory=list)  # last spoken actions, for DTMF 9
    outcome: Outcome | None = None

    def to_json(self) -> str:
        data = asdict(self)
        data["state"] = self.state.value
        data["outcome"] = self.outcome.value if self.outcome else None
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> CallContext:
        data = json.loads(text)
        data["state"] = CallState(data["state"])
        data["outcome"] = Outcome(data["outcome"]) if data["outcome"] else None
        data["candidates"] = [(str(i), float(s)) for i, s in data["candidates"]]
        data["clarify"] = tuple(data["clarify"]) if data["clarify"] else None
        return cls(**data)

    @property
    def ended(self) -> bool:
        return self.state is CallState.ENDED
