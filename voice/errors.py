"""voice/ exceptions, in one place.

VoiceError
├── FlowError                  the call flow was driven wrongly
│   ├── IllegalTransition      a state change not in flow_states.TRANSITIONS (also: any event after ENDED)
│   └── UnexpectedEvent        an event the current state does not take (e.g. speech while transferring)
├── CallNotFound               a webhook/stream event for a CallSid we never started
├── StaleEvent                 an event numbered ahead of the call (neither the next one nor a replay)
└── VoiceConfigError           voice config YAML or office hours could not be read
"""

from __future__ import annotations

from typing import Any


class VoiceError(Exception):
    retryable = False


class FlowError(VoiceError):
    pass


class IllegalTransition(FlowError):
    def __init__(self, current: Any, target: Any, event: str = "") -> None:
        super().__init__(f"illegal call-flow transition {current} -> {target}" + (f" on {event}" if event else ""))
        self.current, self.target, self.event = current, target, event


class UnexpectedEvent(FlowError):
    def __init__(self, state: Any, event: str) -> None:
        super().__init__(f"event {event} is not expected in call state {state}")
        self.state, self.event = state, event


class CallNotFound(VoiceError):
    pass


class StaleEvent(VoiceError):
    pass


class VoiceConfigError(VoiceError):
    pass
