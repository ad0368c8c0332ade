"""A small client for the Rasa server's HTTP API (``rasa run --enable-api``).

``RasaClient`` is the interface the routing decision and the chat gateway depend on;
``HttpRasaClient`` is the real implementation. Errors are translated at this boundary.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any

import httpx

from routing.errors import RasaResponseError, RasaUnavailableError


@dataclass(frozen=True)
class IntentScore:
    name: str
    confidence: float


@dataclass(frozen=True)
class Entity:
    entity: str
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class NluResult:
    """What Rasa NLU understood from one message."""

    intent: IntentScore
    ranking: tuple[IntentScore, ...]
    entities: tuple[Entity, ...] = ()


@dataclass(frozen=True)
class BotButton:
    title: str
    payload: str


@dataclass(frozen=True)
class BotMessage:
    text: str
    buttons: tuple[BotButton, ...] = field(default_factory=tuple)


class RasaClient(abc.ABC):
    @abc.abstractmethod
    def parse(self, text: str) -> NluResult:
        """Classify one message (no dialogue state)."""

    @abc.abstractmethod
    def message(self, sender_id: str, text: str) -> list[BotMessage]:
        """Send one message into the conversation ``sender_id`` and return the bot's replies."""

    @abc.abstractmethod
    def is_up(self) -> bool:
        """Whether the server answers."""


class HttpRasaClient(RasaClient):
    def __init__(self, base_url: str, *, timeout_seconds: float = 10.0, transport: httpx.BaseTransport | None = None):
        self._client = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_seconds, transport=transport)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpRasaClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def parse(self, text: str) -> NluResult:
        body = self._post("/model/parse", {"text": text})
        try:
            return _nlu_result(body)
        except (KeyError, TypeError, ValueError) as exc:
            raise RasaResponseError("unexpected /model/parse body", status_code=None) from exc

    def message(self, sender_id: str, text: str) -> list[BotMessage]:
        body = self._post("/webhooks/rest/webhook", {"sender": sender_id, "message": text})
        if not isinstance(body, list):
            raise RasaResponseError("unexpected REST channel body", status_code=None)
        replies = []
        for item in body:
            buttons = tuple(
                BotButton(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
                for b in item.get("buttons") or ()
            )
            replies.append(BotMessage(text=str(item.get("text") or ""), buttons=buttons))
        return replies

    def is_up(self) -> bool:
        try:
            return self._client.get("/").status_code == 200
        except httpx.HTTPError:
            return False

    def _post(self, path: str, payload: dict[str, Any]) -> Any:
        try:
            response = self._client.post(path, json=payload)
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            raise RasaUnavailableError(f"Rasa server did not answer {path}: {type(exc).__name__}") from exc
        if response.status_code >= 400:
            status = response.status_code
            raise RasaResponseError(f"Rasa {path} returned HTTP {status}", status_code=status)
        try:
            return response.json()
        except ValueError as exc:
            raise RasaResponseError(f"Rasa {path} returned a body that is not JSON", status_code=None) from exc


def _nlu_result(body: dict[str, Any]) -> NluResult:
    intent = body["intent"]
    ranking = tuple(
        IntentScore(name=str(item["name"]), confidence=float(item["confidence"]))
        for item in body.get("intent_ranking") or [intent]
    )
    entities = tuple(
        Entity(entity=str(e["entity"]), value=str(e.get("value", "")), start=int(e["start"]), end=int(e["end"]))
        for e in body.get("entities") or ()
    )
    return NluResult(
        intent=IntentScore(name=str(intent["name"]), confidence=float(intent["confidence"])),
        ranking=ranking,
        entities=entities,
    )
