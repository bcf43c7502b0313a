"""DIFF: the world hash: what the loop looks at to know whether anything changed.

Only what should wake the loop feeds the hash: the PLAYBOOK and goals whole,
each reading's `signal` (canonical JSON, so key order never matters), and each
worker's stable fields, health and verify verdict included. Unchanged hash, no
LLM call: level-triggered and cheap.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterable

from looop.fleet import Worker


def canonical(value: Any) -> bytes:
    # surrogatepass: a lone surrogate ("\ud800" is valid JSON) hashes, never raises.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")


def shown(name: str) -> str:
    """A file name as printable UTF-8: bytes that are not UTF-8 become `\\xNN` escapes."""
    return name.encode("utf-8", "backslashreplace").decode("utf-8")


def wake_signal(raw: bytes) -> bytes:
    """What of a reading feeds the hash: `.signal` if present, else the whole."""
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return raw
    if isinstance(value, dict) and "signal" in value:
        return canonical(value["signal"])
    return canonical(value)


def worker_fields(worker: Worker) -> bytes:
    """Stable fields only: health is a word (never idle seconds), verify a verdict."""
    check = worker.verify
    verdict = None if check is None else [check.result, check.exit_code]
    return canonical([worker.id, worker.state, worker.exit_code, worker.note, worker.health, verdict])


def _read(path: Path, limit: int | None = None) -> bytes:
    """The first `limit` bytes; past them, the size and time stand in for the rest,
    so a huge file still wakes the loop when it changes but is never read whole."""
    from looop.core.fsio import read_bytes

    raw = read_bytes(path, None if limit is None else limit + 1)
    if raw is None:
        return b""
    if limit is not None and len(raw) > limit:
        try:
            st = path.stat()
            return raw[:limit] + b"\0%d:%d" % (st.st_size, st.st_mtime_ns)
        except OSError:
            return raw[:limit]
    return raw


def parts(playbook: Path, goals_dir: Path, snapshots_dir: Path, workers: Iterable[Worker],
          body_max: int | None = None) -> list[tuple[str, bytes]]:
    """The world, in hash order, as (marker, bytes) pairs. Files are read up to
    `body_max` bytes (the prompt shows no more of them either)."""
    limit = body_max if body_max and body_max > 0 else None
    out: list[tuple[str, bytes]] = [("PLAYBOOK.md", _read(playbook, limit))]
    for goal in sorted(goals_dir.glob("*.md")):
        out.append((f"goals/{shown(goal.name)}", _read(goal, limit)))
    for snap in sorted(snapshots_dir.glob("sensor-*.json")):
        out.append((f"sensor:{shown(snap.name[len('sensor-'):-len('.json')])}", wake_signal(_read(snap))))
    for worker in sorted(workers, key=lambda w: w.id):
        out.append((f"worker:{worker.id}", worker_fields(worker)))
    return out


def ask_parts(paths: Any) -> list[tuple[str, bytes]]:
    """Pending asks, by id only: a new ask or an answer wakes the loop once (tells never do)."""
    from looop.mailbox.store import pending_ids

    return [(f"ask:{rid}", b"") for rid in pending_ids(paths)]


def digest(world: list[tuple[str, bytes]]) -> str:
    from looop.core.untrusted import encode

    h = hashlib.sha256()
    for marker, body in world:
        m = encode(marker)  # a name that is not UTF-8 hashes as its bytes
        h.update(b"\0%d:%s\0%d:" % (len(m), m, len(body)))
        h.update(body)
    return h.hexdigest()
