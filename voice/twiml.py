"""Flow actions -> TwiML (the `gather` path), with the Twilio SDK's builder.

Says before a Listen are nested in its <Gather> so the caller can press 0/9 or speak over a prompt.
Every URL carries the number of the event it will report (`seq`), which makes Twilio's retries
recognisable (voice/calls.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from voice.events import Action, Enqueue, Hangup, Listen, ListenFor, Say, Transfer

LANGUAGE = "ja-JP"


@dataclass(frozen=True)
class WebhookUrls:
    """Absolute URLs of our webhooks, as Twilio (and the signature check) sees them."""

    base: str  # MADOGUCHI_PUBLIC_BASE_URL
    prefix: str = "/voice"

    def _url(self, name: str, **query: str | int) -> str:
        return f"{self.base.rstrip('/')}{self.prefix}/{name}" + (f"?{urlencode(query)}" if query else "")

    def gather(self, seq: int) -> str:
        return self._url("gather", seq=seq)

    def transfer_done(self, seq: int) -> str:
        return self._url("transfer-done", seq=seq)

    def whisper(self, call_sid: str, seq: int) -> str:
        return self._url("whisper", call=call_sid, seq=seq)

    def hold(self) -> str:
        return self._url("hold")

    def status(self) -> str:
        return self._url("status")

    def recording(self) -> str:
        return self._url("recording")


class TwimlRenderer:
    def __init__(self, urls: WebhookUrls, tts_voice: str = "Polly.Mizuki") -> None:
        self.urls = urls
        self.tts_voice = tts_voice

    def render(self, actions: Sequence[Action], call_sid: str, seq: int, *, start_recording: bool = False) -> str:
        """TwiML for the reply to event `seq` (so the next event is seq + 1). `start_recording` (first reply
        only, when MADOGUCHI_RECORDING_ENABLED) records both sides from here on, as the greeting announces."""
        response = VoiceResponse()
        if start_recording:
            self.start_recording(response)
        pending: list[Say] = []
        for action in actions:
            if isinstance(action, Say):
                pending.append(action)
            elif isinstance(action, Listen):
                gather = self._gather(action, seq + 1)
                for say in pending:
                    self._say(gather, say.text)
                pending = []
                response.append(gather)
            else:
                for say in pending:
                    self._say(response, say.text)
                pending = []
                if isinstance(action, Transfer):
                    dial = Dial(action=self.urls.transfer_done(seq + 1), method="POST", timeout=25)
                    dial.number(action.number, url=self.urls.whisper(call_sid, seq), method="POST")
                    response.append(dial)
                elif isinstance(action, Enqueue):
                    response.enqueue(action.queue, action=self.urls.transfer_done(seq + 1), method="POST",
                                     wait_url=self.urls.hold(), wait_url_method="POST")
                elif isinstance(action, Hangup):
                    response.hangup()
        for say in pending:
            self._say(response, say.text)
        return str(response)

    def start_recording(self, response: VoiceResponse) -> None:
        response.start().recording(recording_status_callback=self.urls.recording(),
                                   recording_status_callback_method="POST", track="both", channels="dual")

    def say_only(self, text: str, hang_up: bool = False) -> str:
        response = VoiceResponse()
        self._say(response, text)
        if hang_up:
            response.hangup()
        return str(response)

    def hold_music(self, text: str) -> str:
        response = VoiceResponse()
        self._say(response, text)
        response.pause(length=15)
        return str(response)

    def _say(self, parent: VoiceResponse | Gather, text: str) -> None:
        parent.say(text, voice=self.tts_voice, language=LANGUAGE)

    def _gather(self, listen: Listen, next_seq: int) -> Gather:
        kwargs: dict[str, object] = {
            "input": "dtmf speech",
            "action": self.urls.gather(next_seq),
            "method": "POST",
            "language": LANGUAGE,
            "timeout": listen.timeout_s,
            "action_on_empty_result": True,
        }
        if listen.expect is ListenFor.PHONE_NUMBER:
            kwargs["finish_on_key"] = listen.finish_on_key or "#"
        else:
            kwargs["speech_timeout"] = "auto"
            if listen.max_digits:
                kwargs["num_digits"] = listen.max_digits
        if listen.hints:
            kwargs["hints"] = ",".join(listen.hints)
        return Gather(**kwargs)
