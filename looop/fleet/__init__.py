"""The worker fleet, as the beat sees it.

The beat needs only three things from the fleet: the list of this profile's
workers (for the prompt, the hash and the cadence), pruning finished ones,
and whether a session is alive (for reaping claims). The sessions themselves
live in `sessions.py`; the supervisor that runs each one in `supervisor.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Worker:
    id: str
    state: str  # starting | running | exited | killed | dead
    exit_code: int | None = None
    note: str | None = None
    age_s: float = 0.0
    started_at: str | None = None  # UTC RFC 3339
    flagged_at: str | None = None  # when the current flag was raised
    runner: str | None = None
    supervisor_pid: int | None = None
    ended_at: float | None = None  # epoch seconds, once it ended

    @property
    def alive(self) -> bool:
        return self.state in ("starting", "running")

    @property
    def flagged(self) -> bool:
        return self.note is not None


def workers(fleet_root: Path) -> list[Worker]:
    """This profile's worker sessions, oldest first."""
    import time

    from looop.fleet import sessions

    now = time.time()
    found = [sessions.worker(s, now) for s in sessions.all_sessions(fleet_root)]
    return sorted(found, key=lambda w: (-w.age_s, w.id))


def prune(fleet_root: Path, only: set[str] | None = None) -> list[str]:
    """Remove exited, killed and dead sessions (of `only`, if given); return their ids."""
    from looop.fleet import sessions

    return sessions.prune(fleet_root, only)


def alive(fleet_root: Path, session_id: str) -> bool:
    return any(w.id == session_id and w.alive for w in workers(fleet_root))
