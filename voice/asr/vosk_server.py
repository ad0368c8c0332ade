"""vosk-server over websocket: the same Recognizer interface, for scaling ASR out to other machines.

Protocol of alphacephei's vosk-server (websocket/asr_server.py): the client sends
``{"config": {"sample_rate": …}}``, then binary PCM chunks (the server answers each with a
``{"partial": …}`` or a ``{"text": …}`` result), then ``{"eof": 1}``, answered with the final result.
One connection per utterance: opened on the utterance's first audio, closed at its end.
"""

from __future__ import annotations

import json
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

from voice.asr.base import AsrEngine, Recognizer, Transcript
from voice.asr.errors import AsrFailed, AsrUnavailable


class VoskServerRecognizer(Recognizer):
    def __init__(self, url: str, sample_rate: int, open_timeout: float) -> None:
        self._url = url
        self._sample_rate = sample_rate
        self._open_timeout = open_timeout
        self._ws: ClientConnection | None = None
        self._segments: list[str] = []

    async def _connection(self) -> ClientConnection:
        if self._ws is None:
            try:
                self._ws = await websockets.connect(self._url, open_timeout=self._open_timeout, max_size=None)
                await self._ws.send(json.dumps({"config": {"sample_rate": self._sample_rate}}))
            except (OSError, TimeoutError, websockets.WebSocketException) as exc:
                self._ws = None
                raise AsrUnavailable(f"vosk-server at {self._url} is unreachable") from exc
        return self._ws

    async def _exchange(self, message: str | bytes) -> dict[str, Any]:
        ws = await self._connection()
        try:
            await ws.send(message)
            reply = json.loads(await ws.recv())
        except websockets.ConnectionClosed as exc:
            self._ws = None
            raise AsrUnavailable("vosk-server closed the connection mid-utterance") from exc
        except (json.JSONDecodeError, TypeError) as exc:
            raise AsrFailed("vosk-server sent a reply that is not JSON") from exc
        if not isinstance(reply, dict):
            raise AsrFailed("vosk-server sent an unexpected reply")
        return reply

    async def accept_audio(self, pcm: bytes) -> Transcript | None:
        reply = await self._exchange(pcm)
        if "text" in reply:
            if reply["text"]:
                self._segments.append(str(reply["text"]))
            return Transcript(text=" ".join(self._segments), final=False)
        return None

    async def finish(self) -> Transcript:
        if self._ws is None and not self._segments:
            return Transcript(text="", final=True)  # no audio in this utterance
        try:
            reply = await self._exchange(json.dumps({"eof": 1}))
            text = str(reply.get("text", ""))
        finally:
            await self._close_connection()
        segments, self._segments = self._segments, []
        return Transcript(text=" ".join([*segments, text] if text else segments), final=True)

    async def reset(self) -> None:
        self._segments = []
        await self._close_connection()

    async def _close_connection(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None:
            try:
                await ws.close()
            except websockets.WebSocketException:
                pass

    async def close(self) -> None:
        await self._close_connection()


class VoskServerEngine(AsrEngine):
    name = "vosk-server"

    def __init__(self, url: str, *, sample_rate: int = 16_000, open_timeout: float = 5.0) -> None:
        self.url = url
        self.sample_rate = sample_rate
        self.open_timeout = open_timeout

    async def acquire(self) -> Recognizer:
        return VoskServerRecognizer(self.url, self.sample_rate, self.open_timeout)

    async def release(self, recognizer: Recognizer) -> None:
        await recognizer.close()
