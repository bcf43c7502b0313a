"""A do-nothing decision is not forever: time passing is a change too.

A decision that changed nothing the loop can see (the journal line aside),
followed by a world unchanged for LOOOP_NOOP_TTL (6 h), gets decided again.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any, Iterable, Mapping

from looop.core.fsio import read_bytes, read_json_object

_WATCHED_FILES = ("PLAYBOOK.md", "PLAYBOOK.proposed.md", "attention.md")
_POLICY_DIRS = ("goals", "sensors", "schedules")  # small and current: compared by content
_PILED_DIRS = ("goals/archive", "claims", "reports")  # grow with history: compared by name, size, mtime
_MAX_ENTRIES = 1000


def fingerprint(data: Path, workers: Iterable[Any]) -> str:
    """One digest of everything a move could have changed, the journal aside.

    Bounded: contents of the live policy files, metadata of at most
    _MAX_ENTRIES entries of each directory that piles up over the months."""
    h = hashlib.sha256()
    files = [data / name for name in _WATCHED_FILES]
    for d in _POLICY_DIRS:
        files += _entries(data / d)
    for path in files:
        try:
            body = (read_bytes(path) if path.stat().st_size <= 1 << 20 else None) or str(path.stat().st_mtime_ns).encode()
        except OSError:
            body = b"\0absent"
        _add(h, str(path.relative_to(data)), body)
    for d in _PILED_DIRS:
        for path in _entries(data / d):
            try:
                st = path.stat()
            except OSError:
                continue
            _add(h, str(path.relative_to(data)), b"%d:%d" % (st.st_size, st.st_mtime_ns))
    for w in sorted(workers, key=lambda w: w.id):
        h.update(json.dumps([w.id, w.state, w.exit_code, w.note]).encode())
    return h.hexdigest()


def _entries(directory: Path) -> list[Path]:
    try:
        with os.scandir(directory) as it:
            names = sorted(e.name for e in it if not e.name.startswith("."))
    except OSError:
        return []
    return [directory / n for n in names[:_MAX_ENTRIES]]


def _add(h: Any, name: str, body: bytes) -> None:
    raw = os.fsencode(name)  # a file name need not be UTF-8
    h.update(b"%d:%s%d:" % (len(raw), raw, len(body)))
    h.update(body)


def settle(path: Path, before: str, after: str, world_hash: str, ttl: int) -> bool:
    """After a decided beat: remember a noop (restarting its clock), else forget. True if noop."""
    from looop.core.fsio import atomic_write

    if before == after:
        atomic_write(path, json.dumps({"hash": world_hash, "since": time.time(), "ttl": ttl}) + "\n")
        return True
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    return False


def expired(path: Path, world_hash: str, env: Mapping[str, str] | None = None,
            now: float | None = None) -> float | None:
    """How long the world sat unchanged after a noop, once past the TTL; else None.

    On the hot path: one small file read, no config (the TTL was stored with it;
    LOOOP_NOOP_TTL in the environment wins)."""
    data = read_json_object(path)
    if data is None or data.get("hash") != world_hash:
        return None
    env = os.environ if env is None else env
    from looop.core import knobs

    given = knobs.from_env("noop_ttl", env)
    ttl = given if given is not None else data.get("ttl")
    since = data.get("since")
    if not isinstance(ttl, int) or ttl <= 0 or not isinstance(since, (int, float)):
        return None
    age = (time.time() if now is None else now) - since
    return age if age >= ttl else None
