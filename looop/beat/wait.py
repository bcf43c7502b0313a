"""`looop wait`: sleep until the loop needs the human, without spinning.

Each poll compares a stamp (names, mtimes, sizes) per category; content is
read only when a stamp moves, so a change that is only noise (sensors
rewriting the same signal every beat) never wakes the waiter.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from pathlib import Path

from looop.core.paths import Paths

CATEGORIES = ("asks", "journal", "playbook", "goals", "readings", "workers")
FILTERS = {"all": CATEGORIES, "only-asks": ("asks",), "actionable": ("asks", "journal")}
POLL_S = 0.5


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _listing(directory: Path, suffix: str = "") -> tuple:
    try:
        entries = sorted(e for e in os.listdir(directory) if e.endswith(suffix) and not e.startswith("."))
    except OSError:
        return ()
    return tuple((e, _stat(directory / e)) for e in entries)


def _digest(parts: list[tuple[str, bytes]]) -> str:
    from looop.beat.world import digest

    return digest(parts)


class Category:
    """One thing `wait` watches: a cheap stamp, and the content read when the stamp moves."""

    def __init__(self, stamp: Callable[[], object], content: Callable[[], str]) -> None:
        self.stamp_of, self.content_of = stamp, content
        self.stamp, self.content = stamp(), content()

    def changed(self) -> bool:
        stamp = self.stamp_of()
        if stamp == self.stamp:
            return False
        self.stamp = stamp
        content = self.content_of()
        if content == self.content:
            return False
        self.content = content
        return True


def categories(paths: Paths, names: tuple[str, ...]) -> dict[str, Category]:
    from looop.beat import world
    from looop.mailbox import store

    def sessions_stamp() -> object:
        root = paths.fleet_root / "sessions"
        return tuple((e, _stat(root / e / "status.json")) for e, _ in _listing(root))

    def workers_content() -> str:
        from looop import fleet

        return _digest([(w.id, world.worker_fields(w)) for w in fleet.workers(paths.fleet_root)])

    def readings_content() -> str:
        return _digest([(s.name, world.wake_signal(_read(s))) for s in sorted(paths.snapshots.glob("sensor-*.json"))])

    def goals_content() -> str:
        return _digest([(g.name, _read(g)) for g in sorted(paths.goals.glob("*.md"))])

    every = {
        "asks": lambda: Category(lambda: (_stat(paths.asks), _stat(paths.answers)),
                                 lambda: ",".join(store.pending_ids(paths))),
        "journal": lambda: Category(lambda: _stat(paths.journal), lambda: str(_stat(paths.journal))),
        "playbook": lambda: Category(lambda: (_stat(paths.playbook), _stat(paths.proposed)),
                                     lambda: hashlib.sha256(_read(paths.playbook) + b"\0" + _read(paths.proposed))
                                     .hexdigest()),
        "goals": lambda: Category(lambda: _listing(paths.goals, ".md"), goals_content),
        "readings": lambda: Category(lambda: _listing(paths.snapshots, ".json"), readings_content),
        "workers": lambda: Category(sessions_stamp, workers_content),
    }
    return {n: every[n]() for n in names}


def _read(path: Path) -> bytes:
    from looop.core.fsio import read_bytes

    try:
        return read_bytes(path) or b""
    except OSError:
        return b""


def pulse_running(paths: Paths) -> bool:
    from looop.core.locks import PulseLock

    return PulseLock(paths.lock_dir).holder() is not None


def wait(paths: Paths, names: tuple[str, ...], timeout: float | None) -> list[str]:
    """Block until something in `names` changes: the changed categories
    (`pulse-down` when the pulse is not running or stops); [] on timeout."""
    from looop.mailbox import store

    if "asks" in names and store.pending_ids(paths):
        return ["asks"]
    if not pulse_running(paths):
        return ["pulse-down"]
    watched = categories(paths, names)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        pause = POLL_S if deadline is None else min(POLL_S, max(0.0, deadline - time.monotonic()))
        time.sleep(pause)
        changed = [n for n, c in watched.items() if c.changed()]
        if changed:
            return changed
        if not pulse_running(paths):
            return ["pulse-down"]
        if deadline is not None and time.monotonic() >= deadline:
            return []
