"""A value the composition layer binds for this process, or one built from the settings on first use.

The web app binds what it built (its database sessions, …) so jobs run by the `immediate` queue inside it
use the same; a worker process binds nothing and gets one built from its own settings.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class ProcessBinding(Generic[T]):
    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._value: T | None = None
        self._lock = threading.Lock()

    def bind(self, value: T | None) -> None:
        """Use ``value`` from now on (None: build one again on the next use)."""
        with self._lock:
            self._value = value

    def current(self) -> T:
        with self._lock:
            if self._value is None:
                self._value = self._build()
            return self._value
