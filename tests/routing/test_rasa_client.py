"""Errors from the Rasa server are translated at the client boundary, with a retryable flag."""

from __future__ import annotations

import httpx
import pytest

from routing.errors import RasaResponseError, RasaUnavailableError
from routing.rasa_client import HttpRasaClient
from tests.support import free_port


def client_answering(status: int, body: object) -> HttpRasaClient:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body)

    return HttpRasaClient("http://rasa.test", transport=httpx.MockTransport(handler))


def test_parse_reads_intent_ranking_and_entities() -> None:
    body = {
        "text": "母の介護",
        "intent": {"name": "elderly_care", "confidence": 0.8},
        "intent_ranking": [
            {"name": "elderly_care", "confidence": 0.8},
            {"name": "guardianship", "confidence": 0.2},
        ],
        "entities": [{"entity": "affected", "value": "高齢の親", "start": 0, "end": 1}],
    }
    result = client_answering(200, body).parse("母の介護")
    assert result.intent.name == "elderly_care"
    assert [s.name for s in result.ranking] == ["elderly_care", "guardianship"]
    assert result.entities[0].value == "高齢の親"


def test_server_not_running_is_retryable() -> None:
    with HttpRasaClient(f"http://127.0.0.1:{free_port()}", timeout_seconds=2) as client:
        with pytest.raises(RasaUnavailableError) as caught:
            client.parse("こんにちは")
        assert caught.value.retryable
        assert not client.is_up()


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (503, True), (400, False), (404, False)])
def test_http_errors_carry_retryable(status: int, retryable: bool) -> None:
    with pytest.raises(RasaResponseError) as caught:
        client_answering(status, {"message": "x"}).parse("x")
    assert caught.value.retryable is retryable
    assert caught.value.status_code == status


def test_unexpected_body_is_not_retryable() -> None:
    with pytest.raises(RasaResponseError) as caught:
        client_answering(200, {"no": "intent"}).parse("x")
    assert not caught.value.retryable


def test_rest_channel_replies_keep_buttons() -> None:
    body = [{"recipient_id": "s", "text": "どんなこと？", "buttons": [{"title": "介護", "payload": "/elderly_care"}]}]
    replies = client_answering(200, body).message("s", "相談したい")
    assert replies[0].text == "どんなこと？"
    assert replies[0].buttons[0].payload == "/elderly_care"
