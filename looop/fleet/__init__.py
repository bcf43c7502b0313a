"""The worker fleet, as the beat sees it.

The beat needs only three things from the fleet: the list of this profile's
workers (for the prompt, the hash and the cadence), pruning finished ones,
and whether a session is alive (for reaping claims). The sessions themselves
live in `sessions.py`; the supervisor that runs each one in `supervisor.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from looop.fleet.model import PULSE, Check, Worker

__all__ = ["PULSE", "Check", "Worker"]

def workers(fleet_root: Path, *, config: Mapping[str, Any] | None = None,
            asks: Mapping[str, float] | None = None, stuck_s: float | None = None) -> list[Worker]:
    """This profile's worker sessions, oldest first, each with its health
    (never the pulse's own session: it is listed, but it is no worker).

    `asks` maps a worker id to the age of the oldest pending ask it is blocked
    on; the stuck threshold is `stuck_s`, else LOOOP_WORKER_STUCK > `config`."""
    import time

    from looop.fleet import health, sessions

    now = time.time()
    found = [sessions.worker(s, now) for s in sessions.all_sessions(fleet_root) if s.id != PULSE]
    if found:
        stuck = health.stuck_after(config) if stuck_s is None else stuck_s
        found = health.assess(found, stuck, asks or {})
        from looop.fleet import dialogs

        found = dialogs.mark_blocked(found, fleet_root)
    return sorted(found, key=lambda w: (-w.age_s, w.id))


def pulse_session(fleet_root: Path) -> Worker | None:
    """The session `looop up` started the pulse in, if there is one."""
    from looop.fleet import health, sessions

    session = sessions.Session(sessions.sessions_dir(fleet_root) / PULSE)
    if not session.path.is_dir():
        return None
    return health.assess([sessions.worker(session)], 0, {})[0]  # a sleeping pulse is quiet, never stuck


def listing(fleet_root: Path, **kw: Any) -> list[Worker]:
    """What `ls` shows: the pulse's session first, then the workers."""
    pulse = pulse_session(fleet_root)
    return ([pulse] if pulse else []) + workers(fleet_root, **kw)


def live_ids(fleet_root: Path) -> list[str]:
    """The alive sessions that count against the fleet cap (the pulse never does)."""
    from looop.fleet import sessions

    return [s.id for s in sessions.all_sessions(fleet_root)
            if s.id != PULSE and sessions.state_of(s) in sessions.ALIVE_STATES]


def prune(fleet_root: Path, only: set[str] | None = None) -> list[str]:
    """Remove exited, killed and dead sessions (of `only`, if given); return their ids."""
    from looop.fleet import sessions

    return sessions.prune(fleet_root, only)


def alive(fleet_root: Path, session_id: str) -> bool:
    return any(w.id == session_id and w.alive for w in workers(fleet_root))
