"""The flow's view of the FAQ: a small interface, implemented over the faq/ library.

Kept as a Protocol so the flow stays pure and the faq/ types stay faq/'s own; the flow only reads the
attributes listed here.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger("madoguchi.voice.faq")


class FaqEntry(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def question(self) -> str: ...
    @property
    def answer_voice(self) -> str: ...
    @property
    def department(self) -> str: ...
    @property
    def transfer(self) -> bool: ...


@dataclass(frozen=True)
class Match:
    """faq.Decision, reduced to what the call flow needs."""

    action: str  # answer | clarify | transfer
    reason: str  # confident | close_candidates | human_request | transfer_faq | low_confidence | out_of_scope | empty
    faq: FaqEntry | None
    score: float
    candidates: tuple[tuple[str, float], ...]
    clarify_question: str | None = None
    clarify_options: tuple[str, str] | None = None  # FAQ ids
    referral: str | None = None  # out_of_scope: the office that handles the subject (e.g. 市民課)


class Answerer(Protocol):
    def match(self, text: str) -> Match: ...
    def resolve_clarify(self, text: str, option_ids: tuple[str, str]) -> FaqEntry | None: ...
    def is_human_request(self, text: str) -> bool: ...
    def get(self, faq_id: str) -> FaqEntry: ...
    def speech_hints(self, limit: int) -> Sequence[str]: ...


@dataclass(frozen=True)
class _KbVersion:
    """One matcher and the FAQs it answers with, swapped in as one reference so a reader never mixes two
    versions of the KB."""

    matcher: Any
    by_id: dict[str, Any]
    digest: str | None = None  # SHA-256 of the file it was loaded from (None: a KB given in memory)

    @classmethod
    def build(cls, faq: Any, kb: Any, digest: str | None = None) -> _KbVersion:
        return cls(faq.FaqMatcher(kb), {f.id: f for f in kb}, digest)


@dataclass(frozen=True)
class KbFileState:
    """What a KB file looked like when it was read. ``stat_key`` (mtime_ns, size, inode) changing says the
    file may have changed; ``digest`` (SHA-256 of the bytes) says whether it did. ``read_at_ns`` is the
    wall-clock time of the read: a file whose mtime is that close may have been rewritten within the same
    timestamp tick (coarse file systems), so its stat cannot be trusted yet and the bytes are hashed again."""

    stat_key: tuple[int, int, int]
    digest: str
    read_at_ns: int

    @classmethod
    def read(cls, path: Path) -> KbFileState:
        read_at_ns = time.time_ns()
        stat = path.stat()
        return cls(_stat_key(stat), hashlib.sha256(path.read_bytes()).hexdigest(), read_at_ns)

    def may_differ(self, stat: os.stat_result) -> bool:
        return _stat_key(stat) != self.stat_key or stat.st_mtime_ns + RACY_MTIME_NS >= self.read_at_ns


def _stat_key(stat: os.stat_result) -> tuple[int, int, int]:
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


RACY_MTIME_NS = 2_000_000_000  # FAT keeps mtimes to 2 s; ext4/xfs to the nanosecond


class FaqLibraryAnswerer:
    """Answerer over faq.FaqMatcher (the matcher is thread-safe to read).

    Built from a KB file, it follows that file: at most every ``check_seconds`` a question first stats the
    file, and when it may have changed a background thread hashes it and, when the content differs,
    builds a new matcher while calls keep being answered by the old one. So every process answering from
    the file (several uvicorn workers, app instances sharing the disk) picks up an edit that another one
    saved. A file that does not load keeps the old matcher (a warning names the error type, never the
    content) until the file changes again. ``reload`` rebuilds at once, for the process that saved the edit.
    """

    def __init__(self, matcher: Any, kb: Any, *, check_seconds: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        import faq

        self._faq = faq
        self._current = _KbVersion(matcher, {f.id: f for f in kb})
        self._path: Path | None = None  # the followed file and its state, set by from_path
        self._state: KbFileState | None = None
        self._check_seconds = check_seconds
        self._clock = clock
        self._next_check = clock() + check_seconds
        # Held while the file is checked or a matcher built (by a question's check thread or by reload):
        # one build at a time, and a question never waits for it.
        self._building = threading.Lock()

    @classmethod
    def from_path(cls, kb_path: Any, *, check_seconds: float = 5.0,
                  clock: Callable[[], float] = time.monotonic) -> FaqLibraryAnswerer:
        import faq

        path = Path(kb_path)
        state = KbFileState.read(path)  # before loading: a change made while loading is seen at the next check
        kb = faq.load_kb(path)
        answerer = cls(faq.FaqMatcher(kb), kb, check_seconds=check_seconds, clock=clock)
        answerer._path, answerer._state = path, state
        answerer._current = replace(answerer._current, digest=state.digest)
        return answerer

    @property
    def kb_digest(self) -> str | None:
        """SHA-256 of the KB file content being answered from (None when built from a KB in memory)."""
        return self._current.digest

    def reload(self, kb: Any) -> None:
        """Answer from the edited KB from now on (the console calls this after saving it). An answerer that
        follows a file reads the file again rather than taking ``kb``, so the matcher and the file version
        it records always agree, even if another process saved in between. Blocks until built; calls in
        progress read the old matcher or the new one, never a half-built one."""
        with self._building:
            if self._path is None:
                self._current = _KbVersion.build(self._faq, kb)
                return
            state = KbFileState.read(self._path)
            self._current = _KbVersion.build(self._faq, self._faq.load_kb(self._path), state.digest)
            self._state = state

    def wait_idle(self, timeout: float) -> bool:
        """Wait until a check or build in progress has finished; False if it still runs after ``timeout``."""
        if not self._building.acquire(timeout=timeout):
            return False
        self._building.release()
        return True

    def _version(self) -> _KbVersion:
        if self._path is not None and self._clock() >= self._next_check:
            self._start_check()
        return self._current

    def _start_check(self) -> None:
        if not self._building.acquire(blocking=False):
            return  # another question's check (or a reload) is already at it
        handed_over = False
        try:
            self._next_check = self._clock() + self._check_seconds
            if self._path is None or self._state is None:
                return
            try:
                stat = self._path.stat()
            except OSError as exc:  # e.g. a share that is briefly unreachable: look again next time
                log.warning("faq kb file cannot be checked, still answering from the loaded version: %s",
                            type(exc).__name__)
                return
            if not self._state.may_differ(stat):
                return
            threading.Thread(target=self._refresh_then_release, name="faq-kb-refresh", daemon=True).start()
            handed_over = True
        finally:
            if not handed_over:
                self._building.release()

    def _refresh_then_release(self) -> None:
        try:
            self._refresh()
        finally:
            self._building.release()

    def _refresh(self) -> None:
        if self._path is None or self._state is None:
            return
        try:
            state = KbFileState.read(self._path)
        except OSError as exc:
            log.warning("faq kb file cannot be read, still answering from the loaded version: %s",
                        type(exc).__name__)
            return
        if state.digest == self._state.digest:
            self._state = state  # touched or rewritten with the same content: nothing to rebuild
            return
        try:
            version = _KbVersion.build(self._faq, self._faq.load_kb(self._path), state.digest)
        except Exception as exc:  # a broken file must not stop the bot: keep answering from the old one
            # The exception's message may quote the file (FAQ text): only its type is logged.
            log.warning("faq kb file changed but does not load, still answering from the previous version: %s",
                        type(exc).__name__)
            self._state = state  # not retried until the file changes again
            return
        self._current, self._state = version, state
        log.info("faq kb reloaded from the changed file: %d FAQs", len(version.by_id))

    def match(self, text: str) -> Match:
        d = self._version().matcher.decide(text)
        options = d.clarify_options
        return Match(action=d.action, reason=d.reason, faq=d.faq, score=float(d.score),
                     candidates=tuple((str(c.faq_id), float(c.score)) for c in d.candidates),
                     clarify_question=d.clarify_question,
                     clarify_options=(options[0].id, options[1].id) if options else None,
                     referral=getattr(getattr(d, "referral", None), "department", None))

    def resolve_clarify(self, text: str, option_ids: tuple[str, str]) -> FaqEntry | None:
        by_id = self._version().by_id
        if option_ids[0] not in by_id or option_ids[1] not in by_id:
            return None  # an option was deleted from the KB during the call: ask again
        options = (by_id[option_ids[0]], by_id[option_ids[1]])
        chosen: FaqEntry | None = self._faq.resolve_clarify(text, options)
        return chosen

    def is_human_request(self, text: str) -> bool:
        return bool(self._faq.is_human_request(text))

    def get(self, faq_id: str) -> FaqEntry:
        entry: FaqEntry = self._version().by_id[faq_id]
        return entry

    def speech_hints(self, limit: int) -> Sequence[str]:
        return list(self._version().matcher.speech_hints(limit))

