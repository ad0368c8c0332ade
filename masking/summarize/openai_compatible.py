"""A summarizer on any OpenAI-compatible chat completions endpoint.

Works with OpenAI, vLLM (``http://host:8000/v1``), Ollama (``http://host:11434/v1``), the llama.cpp
server (``http://host:8080/v1``) and Azure OpenAI (``https://NAME.openai.azure.com/openai/deployments/
DEPLOYMENT`` with ``?api-version=…``, or the ``…/openai/v1`` endpoint): the base URL is everything
before ``/chat/completions``. Azure hosts get the key in ``api-key``, the others as a bearer token.
Errors are translated to ``masking.summarize.errors`` with a ``retryable`` flag; the request and reply
bodies are never logged.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import httpx

from masking.summarize.base import Summarizer, SummaryDraft
from masking.summarize.errors import LlmBadResponse, LlmRejected, LlmUnavailable, SummarizerError
from masking.summarize.prompt import SYSTEM_PROMPT, parse_sections, user_message

log = logging.getLogger("madoguchi.masking.llm")
AZURE_DEFAULT_API_VERSION = "2024-10-21"


class OpenAICompatibleSummarizer(Summarizer):
    name = "openai-compatible"

    def __init__(self, base_url: str, model: str, api_key: str = "", *, timeout: float = 120.0,
                 attempts: int = 2, retry_delay: float = 2.0, max_tokens: int = 1200,
                 transport: httpx.BaseTransport | None = None) -> None:
        parts = urlsplit(base_url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("MADOGUCHI_LLM_BASE_URL must be an http(s) URL")
        self.model = model
        self.attempts = max(1, attempts)
        self.retry_delay = retry_delay
        self.max_tokens = max_tokens
        azure = parts.hostname is not None and parts.hostname.endswith(".openai.azure.com")
        params = dict(parse_qsl(parts.query))
        if azure and "/deployments/" in parts.path:
            params.setdefault("api-version", AZURE_DEFAULT_API_VERSION)
        self.url = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + "/chat/completions", "", ""))
        headers = {"content-type": "application/json"}
        if api_key:
            headers |= {"api-key": api_key} if azure else {"authorization": f"Bearer {api_key}"}
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=10.0), headers=headers,
                                    params=params, transport=transport)

    def request_body(self, approved_masked_text: str) -> dict[str, Any]:
        return {
            "model": self.model,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": user_message(approved_masked_text)},
            ],
            "temperature": 0,
            "max_tokens": self.max_tokens,
        }

    def summarize(self, approved_masked_text: str) -> SummaryDraft:
        body = self.request_body(approved_masked_text)
        last: SummarizerError | None = None
        for attempt in range(1, self.attempts + 1):
            try:
                reply = self._complete(body)
                sections = parse_sections(reply)
                if sections is None:
                    raise LlmBadResponse("生成AIの応答が要約の形式になっていませんでした。もう一度お試しください。")
                return SummaryDraft(sections=sections, generator=self.name, model=self.model)
            except SummarizerError as exc:
                last = exc
                log.warning("llm summary attempt failed attempt=%d error=%s status=%s retryable=%s",
                            attempt, type(exc).__name__, exc.status, exc.retryable)
                if not exc.retryable or attempt == self.attempts:
                    raise
                time.sleep(self.retry_delay * attempt)
        assert last is not None
        raise last

    def _complete(self, body: dict[str, Any]) -> str:
        try:
            response = self._client.post(self.url, json=body)
        except httpx.TimeoutException as exc:
            raise LlmUnavailable("生成AIサーバーが時間内に応答しませんでした。"
                                 "しばらくしてから再試行してください。") from exc
        except httpx.HTTPError as exc:
            raise LlmUnavailable("生成AIサーバーに接続できませんでした。設定（MADOGUCHI_LLM_BASE_URL）とサーバーの"
                                 "稼働を確認してください。") from exc
        status = response.status_code
        if status in (401, 403):
            raise LlmRejected("生成AIサーバーが認証を拒否しました。APIキーの設定を確認してください。", status=status)
        if status == 404:
            raise LlmRejected("生成AIサーバーにモデルまたはURLが見つかりません。MADOGUCHI_LLM_MODEL と "
                              "MADOGUCHI_LLM_BASE_URL を確認してください。", status=status)
        if status == 429:
            raise LlmUnavailable("生成AIサーバーが混み合っています。しばらくしてから再試行してください。",
                                 status=status)
        if 400 <= status < 500:
            raise LlmRejected("生成AIサーバーが要求を受け付けませんでした（入力が長すぎる可能性があります）。",
                              status=status)
        if status >= 500:
            raise LlmUnavailable("生成AIサーバーでエラーが発生しました。しばらくしてから再試行してください。",
                                 status=status)
        try:
            content = response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LlmBadResponse("生成AIサーバーの応答を読み取れませんでした。", status=status) from exc
        if not isinstance(content, str) or not content.strip():
            raise LlmBadResponse("生成AIサーバーの応答が空でした。", status=status)
        return content

    def close(self) -> None:
        self._client.close()
