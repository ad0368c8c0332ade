"""Starts the processes of one Madoguchi machine and stops them together (what `make run` runs).

Each child runs in its own process group, so Ctrl-C in the terminal reaches only the supervisor, which
then stops the children in reverse start order: SIGINT first (uvicorn and the Huey worker shut down
gracefully on it), SIGTERM after a grace period, SIGKILL as a last resort. Signalling the whole group
also stops grandchildren (a child that is ``make`` starting Rasa). If any child exits by itself the
others are stopped too, so a half-running system never looks healthy.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

PR_SET_PDEATHSIG = 1


@dataclass
class ChildSpec:
    name: str
    argv: list[str]
    # Seconds between SIGINT and SIGTERM: the worker lets running jobs finish (they are re-queued otherwise).
    grace_seconds: float = 10.0


@dataclass
class Child:
    spec: ChildSpec
    process: subprocess.Popen[bytes]
    stopped: bool = field(default=False)


def parse_extra(value: str) -> ChildSpec:
    """``NAME=COMMAND`` from ``madoguchi run --with``; the command is split like a shell would, not run by one."""
    name, sep, command = value.partition("=")
    if not sep or not name.strip() or not command.strip():
        raise ValueError(f"--with expects NAME=COMMAND, got {value!r}")
    return ChildSpec(name=name.strip(), argv=shlex.split(command))


def _load_prctl() -> Callable[..., int] | None:
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux
        return None


# Resolved once in the parent: the child between fork and exec should do as little as possible.
_prctl = _load_prctl()


def _die_with_parent() -> None:
    # Linux: if the supervisor is killed outright (SIGKILL), the kernel sends the child SIGTERM.
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Supervisor:
    def __init__(self, specs: Sequence[ChildSpec], say: Callable[[str], None] = print) -> None:
        self.specs = list(specs)
        self.children: list[Child] = []
        self.say = say
        self._stop_requested = False
        self._previous_handlers: dict[int, Any] = {}

    def _request_stop(self, signum: int, _frame: FrameType | None) -> None:
        if self._stop_requested:
            self.say("停止中です。もう少しお待ちください…")
        self._stop_requested = True

    def start(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._previous_handlers[signum] = signal.signal(signum, self._request_stop)
        for spec in self.specs:
            process = subprocess.Popen(spec.argv, start_new_session=True,  # noqa: S603 (our own commands)
                                       preexec_fn=_die_with_parent)
            self.children.append(Child(spec, process))

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested

    def exited(self) -> Child | None:
        for child in self.children:
            if child.process.poll() is not None:
                return child
        return None

    def wait(self, poll_seconds: float = 0.5) -> int:
        """Block until Ctrl-C/SIGTERM or a child exits; then stop everything. Returns the exit code."""
        code = 0
        while not self._stop_requested:
            child = self.exited()
            if child is not None:
                self.say(f"{child.spec.name} が終了しました (終了コード {child.process.returncode})。"
                         "ほかのプロセスも停止します。")
                code = 1
                break
            time.sleep(poll_seconds)
        self.stop()
        return code

    def stop(self) -> None:
        for child in reversed(self.children):
            self._stop_child(child)
        for signum, handler in self._previous_handlers.items():
            signal.signal(signum, handler)
        self._previous_handlers.clear()

    def _signal(self, child: Child, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.process.pid, signum)

    def _stop_child(self, child: Child) -> None:
        if child.process.poll() is None:
            self._signal(child, signal.SIGINT)
            try:
                child.process.wait(timeout=child.spec.grace_seconds)
            except subprocess.TimeoutExpired:
                self._signal(child, signal.SIGTERM)
                try:
                    child.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._signal(child, signal.SIGKILL)
                    child.process.wait()
        # The leader may be gone while grandchildren (Rasa under make) still run in its group.
        self._signal(child, signal.SIGKILL)
        child.stopped = True


def python_cli(*args: str) -> list[str]:
    """argv that runs a `madoguchi` sub-command with this interpreter (works without the venv on PATH)."""
    return [sys.executable, "-m", "app.cli", *args]
