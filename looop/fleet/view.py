"""The session table of `watch`: the pulse first, then the workers.

Read-only and level-triggered like everything else: each refresh re-reads the
session dirs; nothing here signals, writes to or connects to a session.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from looop.fleet import sessions
from looop.fleet.logtail import mtime
from looop.fleet.sessions import Session

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


def rows(fleet_root: Path, *, living_only: bool, since_s: float | None = None,
         keep: str | None = None, asks: Mapping[str, float] | None = None) -> list[Row]:
    """Sessions to list: the pulse first, then workers oldest first. `keep`
    stays listed even when it no longer qualifies (the one being watched)."""
    from looop import fleet

    now = time.time()
    root = sessions.sessions_dir(fleet_root)
    out = []
    for w in fleet.listing(fleet_root, asks=asks):
        session = Session(root / w.id)
        bare = sessions.bare_id(w.id)
        last_output = mtime(session.log) or mtime(session.path) or 0
        recent = since_s is not None and now - last_output <= since_s
        if living_only and not w.alive and not recent and bare != keep:
            continue
        status = sessions.read_json(session.status)
        ended = status.get("ended_at")
        end = ended if not w.alive and isinstance(ended, (int, float)) else now
        cols, rows_ = sessions.size_of(session)
        out.append(Row(id=bare, session=session, state=w.state, alive=w.alive, health=w.health,
                       idle_s=w.idle_s if w.alive else None, uptime_s=max(0.0, w.age_s - (now - end)),
                       ask_age_s=w.waiting_s, verify=w.verify.result if w.verify else None,
                       cols=cols, rows=rows_, exit_code=w.exit_code, note=w.note))
    return sorted(out, key=lambda r: (r.id != PULSE, -(r.uptime_s or 0), r.id))


def duration(seconds: float | None) -> str:
    from looop.core.stamps import age

    return "-" if seconds is None else age(seconds)
