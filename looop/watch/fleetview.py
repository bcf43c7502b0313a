"""The session table of `watch`: the pulse first, then the workers.

Read-only and level-triggered like everything else: each refresh re-reads the
session dirs; nothing here signals, writes to or connects to a session.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from looop.fleet import sessions
from looop.fleet.sessions import Session
from looop.watch.logtail import mtime

PULSE = "pulse"


@dataclass(frozen=True)
class Row:
    id: str  # as the user types it (no `looop-` prefix)
    session: Session
    state: str
    alive: bool
    health: str
    idle_s: float | None
    uptime_s: float | None
    ask_age_s: float | None
    verify: str | None
    cols: int
    rows: int
    exit_code: int | None
    note: str | None


def size_of(session: Session) -> tuple[int, int]:
    """The session's PTY size (cols, rows): the latest resize, else its start size."""
    meta, status = sessions.read_json(session.meta), sessions.read_json(session.status)

    def dim(key: str, default: int) -> int:
        for source in (status, meta):
            value = source.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and 2 <= value <= 1000:
                return value
        return default

    return dim("cols", 80), dim("rows", 24)


def health_of(state: str, note: str | None, idle: float | None) -> str:
    if state == "dead":
        return "dead"
    if state not in sessions.ALIVE_STATES:
        return state
    if note is not None:
        return "flagged"
    return "busy"


def row(session: Session, now: float) -> Row:
    worker = sessions.worker(session, now)
    last_output = max(filter(None, (mtime(session.log), mtime(session.log_old))), default=None)
    idle = max(0.0, now - last_output) if last_output is not None and worker.alive else None
    status = sessions.read_json(session.status)
    ended = status.get("ended_at") if isinstance(status.get("ended_at"), (int, float)) else None
    started = sessions.read_json(session.meta).get("started_epoch")
    uptime = None
    if isinstance(started, (int, float)):
        uptime = max(0.0, (now if worker.alive or ended is None else ended) - started)
    cols, rows = size_of(session)
    return Row(id=sessions.bare_id(session.id), session=session, state=worker.state, alive=worker.alive,
               health=health_of(worker.state, worker.note, idle), idle_s=idle, uptime_s=uptime,
               ask_age_s=None, verify=None, cols=cols, rows=rows, exit_code=worker.exit_code, note=worker.note)


def rows(fleet_root: Path, *, living_only: bool, since_s: float | None = None,
         keep: str | None = None) -> list[Row]:
    """Sessions to list: the pulse first, then workers oldest first. `keep`
    stays listed even when it no longer qualifies (the one being watched)."""
    now = time.time()
    out = []
    for session in sessions.all_sessions(fleet_root):
        try:
            r = row(session, now)
        except OSError:
            continue
        recent = since_s is not None and (now - (mtime(session.log) or mtime(session.path) or 0)) <= since_s
        if living_only and not r.alive and not recent and r.id != keep:
            continue
        out.append(r)
    return sorted(out, key=lambda r: (r.id != PULSE, -(r.uptime_s or 0), r.id))


def duration(seconds: float | None) -> str:
    from looop.commands.ls import age

    return "-" if seconds is None else age(seconds)
