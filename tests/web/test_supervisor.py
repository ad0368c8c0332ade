"""`madoguchi run`'s supervisor: children (and their children) stop together, on request or when one dies."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from app.supervisor import ChildSpec, Supervisor, parse_extra

# A child that, like uvicorn, exits cleanly on SIGINT and writes a file saying so.
GRACEFUL = """
import signal, sys, time, pathlib
def stop(*_):
    pathlib.Path(sys.argv[1]).write_text("stopped")
    sys.exit(0)
signal.signal(signal.SIGINT, stop)
pathlib.Path(sys.argv[1] + ".up").write_text("up")
while True:
    time.sleep(0.1)
"""


def _wait_for(path: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_stop_reaches_children_and_grandchildren(tmp_path: Path) -> None:
    marker = tmp_path / "web"
    pid_file = tmp_path / "grandchild.pid"
    # A shell that starts a long sleep, as `make rasa-serve` would start Rasa.
    shell = f"sleep 300 & echo $! > {pid_file}; wait"
    supervisor = Supervisor([ChildSpec("web", [sys.executable, "-c", GRACEFUL, str(marker)]),
                             ChildSpec("rasa", ["sh", "-c", shell])], say=lambda _m: None)
    supervisor.start()
    try:
        _wait_for(Path(str(marker) + ".up"))
        _wait_for(pid_file)
        grandchild = int(pid_file.read_text().strip())
        supervisor._request_stop(signal.SIGINT, None)  # what Ctrl-C calls
        assert supervisor.wait(poll_seconds=0.05) == 0
    finally:
        supervisor.stop()
    assert marker.read_text() == "stopped"  # SIGINT first: a graceful stop
    assert all(child.process.poll() is not None for child in supervisor.children)
    deadline = time.monotonic() + 10
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild)


def test_a_dying_child_stops_the_others(tmp_path: Path) -> None:
    marker = tmp_path / "web"
    supervisor = Supervisor([ChildSpec("web", [sys.executable, "-c", GRACEFUL, str(marker)]),
                             ChildSpec("worker", [sys.executable, "-c", "import sys; sys.exit(3)"])],
                            say=lambda _m: None)
    supervisor.start()
    try:
        _wait_for(Path(str(marker) + ".up"))
        assert supervisor.wait(poll_seconds=0.05) == 1
    finally:
        supervisor.stop()
    assert marker.read_text() == "stopped"


def test_extra_process_syntax() -> None:
    spec = parse_extra('rasa=make --no-print-directory rasa-serve "A B"')
    assert spec.name == "rasa"
    assert spec.argv == ["make", "--no-print-directory", "rasa-serve", "A B"]
