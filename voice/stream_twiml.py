"""TwiML for the ``stream`` speech path: a Listen becomes ``<Connect><Stream>``.

The gather path renders Listen as ``<Gather>``; here it opens a bidirectional Media Stream to
``/voice/stream`` with a one-time token and the listen's parameters as ``<Parameter>`` elements
(Twilio hands them back in the stream's ``start`` message).
"""

from __future__ import annotations

from twilio.twiml.voice_response import Connect, VoiceResponse

from voice.events import Listen, ListenFor

STREAM_PATH = "/voice/stream"


def stream_url(public_base_url: str) -> str:
    base = public_base_url.rstrip("/")
    if base.startswith("https://"):
        base = "wss://" + base[len("https://"):]
    elif base.startswith("http://"):
        base = "ws://" + base[len("http://"):]
    return base + STREAM_PATH


def listen_parameters(listen: Listen) -> dict[str, str]:
    return {
        "expect": listen.expect.value,
        "max_digits": "" if listen.max_digits is None else str(listen.max_digits),
        "finish_on_key": listen.finish_on_key,
        "timeout_s": str(listen.timeout_s),
    }


def listen_from_parameters(params: dict[str, str]) -> Listen:
    """The inverse of :func:`listen_parameters`; unknown or missing values fall back to a question."""
    try:
        expect = ListenFor(params.get("expect", ListenFor.QUESTION.value))
    except ValueError:
        expect = ListenFor.QUESTION
    max_digits_s = params.get("max_digits", "1")
    try:
        max_digits = int(max_digits_s) if max_digits_s else None
        timeout_s = int(params.get("timeout_s", "6"))
    except ValueError:
        max_digits, timeout_s = 1, 6
    return Listen(expect, max_digits=max_digits, finish_on_key=params.get("finish_on_key", ""), timeout_s=timeout_s)


def append_stream_listen(response: VoiceResponse, *, url: str, token: str, listen: Listen) -> None:
    connect = Connect()
    stream = connect.stream(url=url)
    stream.parameter(name="token", value=token)
    for name, value in listen_parameters(listen).items():
        stream.parameter(name=name, value=value)
    response.append(connect)
