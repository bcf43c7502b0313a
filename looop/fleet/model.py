"""What a worker is, as the beat, the prompt and the verbs see it: its record and its verify check."""

from __future__ import annotations

from dataclasses import dataclass

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
        from looop.core.ids import bare_id

        return bare_id(self.id)

    @property
    def alive(self) -> bool:
        return self.state in ("starting", "running")

    @property
    def flagged(self) -> bool:
        return self.note is not None
