"""Shared by the workflow tests: a sample consultation, a real OpenAI-compatible server on loopback, and a
masking runtime on a real database with the real detection engine."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.audit import AuditEntry
from core.settings import Settings
from masking.runtime import MaskingRuntime, shared_detector
from masking.summarize import Summarizer

# Written for these tests (not from the evaluation data): a resident, her address and phone, a staff member.
SAMPLE = (
    "相談員：ひかり市生活支援課の大野です。今日はどうされましたか。\n"
    "相談者：川村 由紀子と申します。夫が先月仕事を辞めて、家賃が払えなくて困っています。\n"
    "相談員：お住まいはどちらですか。\n"
    "相談者：ひかり市緑町3丁目8番12号です。電話番号は090-4412-7785です。\n"
    "相談員：住居確保給付金という制度があり、家賃の一部が支給される場合があります。申請はこの窓口でできます。\n"
    "相談員：次回、収入がわかる書類をお持ちください。来週こちらからご連絡します。"
)
PHONE = "090-4412-7785"
NAME = "川村 由紀子"

LLM_REPLY = (
    "■相談者の状況\n・【氏名2】さんは夫と暮らしている。夫が先月退職した。\n"
    "■主訴\n・家賃が払えず困っている。\n"
    "■対応・助言\n・住居確保給付金の制度を案内した。\n"
    "■今後の対応\n・次回、収入がわかる書類を持参してもらう。来週連絡する。"
)


def settings_for(tmp_path: Path, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"env": "test", "database_url": database_url, "data_dir": tmp_path,
                              "secret_key": SecretStr("test-secret-key-for-masking"), "queue_backend": "immediate"}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def make_runtime(settings: Settings, sessions: sessionmaker[Session], summarizer: Summarizer | None = None
                 ) -> MaskingRuntime:
    return MaskingRuntime(settings, sessions, detector=shared_detector(), summarizer=summarizer)


def audit_actions(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return [entry.action for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]


def audit_details(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return [entry.detail for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]


@dataclass
class ChatServer:
    """A small OpenAI-compatible /v1/chat/completions server on 127.0.0.1 that records what it received."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    # (status, body) per request, in order; when exhausted the last one repeats
    replies: list[tuple[int, Any]] = field(default_factory=lambda: [(200, LLM_REPLY)])
    check: Callable[[dict[str, Any]], None] | None = None
    failures: list[str] = field(default_factory=list)


@contextmanager
def chat_server() -> Iterator[ChatServer]:
    state = ChatServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = json.loads(self.rfile.read(length).decode("utf-8"))
            index = len(state.requests)
            state.requests.append(body)
            state.headers.append({k.lower(): v for k, v in self.headers.items()})
            state.paths.append(self.path)
            if state.check is not None:
                try:
                    state.check(body)
                except AssertionError as exc:  # reported to the test, which asserts failures == []
                    state.failures.append(str(exc))
            status, reply = state.replies[min(index, len(state.replies) - 1)]
            if status == 200 and isinstance(reply, str):
                payload: Any = {"id": "chatcmpl-test", "object": "chat.completion", "model": body.get("model"),
                                "choices": [{"index": 0, "finish_reason": "stop",
                                             "message": {"role": "assistant", "content": reply}}]}
            else:
                payload = reply
            data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
