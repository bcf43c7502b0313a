"""The worker fleet, as the beat sees it.

The beat needs only three things from the fleet: the list of this profile's
workers (for the prompt, the hash and the cadence), pruning finished ones,
and whether a session is alive (for reaping claims). The sessions themselves
live in `sessions.py`; the supervisor that runs each one in `supervisor.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PULSE = "looop-pulse"  # the detached pulse's own session: never a worker


@dataclass(frozen=True)
class Check:
    """A worker's --verify command and its outcome: pending | pass | fail."""

    cmd: str
    result: str = "pending"
    exit_code: int | None = None
    timed_out: bool = False
    ran_at: str | None = None
    tail: str = ""


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
    idle_s: float | None = None  # seconds since the worker last wrote output
    health: str = "busy"  # busy | waiting-ask | stuck | flagged | dead (see health.py)
    waiting_s: float | None = None  # age of the oldest ask it is blocked on
    verify: Check | None = None  # its --verify command and what it found

    @property
    def settled(self) -> bool:
        """Ended, with nothing left for a beat to do about it (its verify ran)."""
        return not self.alive and (self.verify is None or self.verify.result != "pending")

    @property
    def name(self) -> str:
        """The id the user types and reads: `fix-ci` for the session `looop-fix-ci`."""
        from looop.fleet.sessions import bare_id

        return bare_id(self.id)

    @property
    def alive(self) -> bool:
        return self.state in ("starting", "running")

    @property
    def flagged(self) -> bool:
        return self.note is not None


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
