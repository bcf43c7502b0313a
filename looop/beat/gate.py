"""The deterministic halves of a beat: the PLAYBOOK gate and claim reaping.

The gate protects "nothing irreversible happens automatically": the AI may
propose a new PLAYBOOK but never make it live; a human edit is adopted. The
approved baseline lives in a private dir outside the data dir (no runner or
worker writes there), and an edit is "by hand" only when no runner or worker
could have made it. A symlinked PLAYBOOK is followed: reads and writes go to
its target. Claim reaping keeps leases level-triggered: a claim whose worker
is gone is gone. Both are plain file operations.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from looop.core.fsio import atomic_write
from looop.records.history import live_file


def _bytes(path: Path) -> bytes | None:
    from looop.core.fsio import read_bytes

    return read_bytes(path)  # never blocks on a FIFO; not a regular file reads as absent


def gate_pre(playbook: Path, approved: Path, history: Path | None = None, *, proposed: Path | None = None,
             busy: Callable[[], str] | None = None) -> str | None:
    """Before the AI runs: set or adopt the baseline. Returns what it did.

    `busy()` (asked only when the text changed) says who else could have
    edited it since the last gate: "runner"
    (a beat's runner is still running: leave its edit to that beat's gate),
    "worker" (a worker was running: park the edit as a proposal), or "" (only
    the human could have: adopt it). When the live text changes, the one it
    replaced is kept in `history`."""
    live = _bytes(playbook)
    if live is None:
        return None
    base = _bytes(approved)
    if base is None:
        atomic_write(approved, live)
        return "baseline"
    if base == live:
        return None
    who = busy() if busy else ""
    if who == "runner":
        return "in-flight"
    if who and proposed is not None:
        atomic_write(proposed, live)
        atomic_write(live_file(playbook), base)
        return "parked"
    _keep(history, base, "adopted")
    atomic_write(approved, live)
    return "adopted"


def gate_post(playbook: Path, approved: Path, proposed: Path, exact: Callable[[], bool] | None = None) -> bool:
    """After the AI ran: park a direct PLAYBOOK edit and restore the baseline.
    With `exact()` true (the box is on) no AI could have written it: the edit
    is the human's, left for the next gate to adopt."""
    base = _bytes(approved)
    live = _bytes(playbook)
    if base is None or live == base:
        return False
    if exact is not None and exact():
        return False
    if live is not None:
        atomic_write(proposed, live)
    atomic_write(live_file(playbook), base)
    return True


def approve(playbook: Path, approved: Path, proposed: Path, history: Path | None = None) -> bool:
    text = _bytes(proposed)
    if text is None:
        return False
    _keep(history, _bytes(playbook), "approved")
    atomic_write(live_file(playbook), text)
    atomic_write(approved, text)
    os.unlink(proposed)
    return True


# -- who else could be editing: runners in flight, workers since the last gate --

def exact(config_file: Path) -> bool:
    """The box is on: nothing boxed can write PLAYBOOK.md, so every change to it is
    the human's (proposals come only as `propose_playbook`). Off: the gate guesses."""
    from looop.box import resolve
    from looop.core import knobs
    from looop.core.errors import FatalError

    try:
        return resolve(knobs.config_dict(config_file)).on
    except FatalError:
        return False


def last_checked(gate_dir: Path) -> float | None:
    """When a gate last saw the live PLAYBOOK equal to the baseline (or made it so)."""
    try:
        return (gate_dir / "checked").stat().st_mtime
    except OSError:
        return None


def mark_checked(gate_dir: Path) -> None:
    try:
        os.utime(gate_dir / "checked")  # a touch: no write on the beat's path
    except FileNotFoundError:
        gate_dir.mkdir(parents=True, exist_ok=True)
        (gate_dir / "checked").touch()


def runner_starts(inflight: Path) -> None:
    """A runner of this process may edit the PLAYBOOK until its beat's gate_post."""
    inflight.mkdir(parents=True, exist_ok=True)
    (inflight / str(os.getpid())).touch()


def runner_done(inflight: Path) -> None:
    (inflight / str(os.getpid())).unlink(missing_ok=True)


def runner_in_flight(inflight: Path) -> bool:
    """Another process's runner has not reached its gate_post yet."""
    from looop.core.locks import pid_alive

    try:
        pids = [p.name for p in inflight.iterdir()]
    except OSError:
        return False
    return any(p.isdigit() and int(p) != os.getpid() and pid_alive(int(p)) for p in pids)


def _keep(history: Path | None, text: bytes | None, reason: str) -> None:
    if history is not None:
        from looop.records import history as kept

        kept.keep(history, text, reason)


def reject(proposed: Path) -> bool:
    try:
        os.unlink(proposed)
    except FileNotFoundError:
        return False
    return True


def reap_claims(claims_dir: Path, is_alive: Callable[[str], bool]) -> list[tuple[str, str]]:
    """Remove claims whose session is not a live worker; return (name, why)."""
    reaped = []
    for path in sorted(claims_dir.glob("*.json")):
        why = _claim_problem(path, is_alive)
        if why:
            try:
                path.unlink()
            except OSError:  # gone already, or a directory: the beat reports those
                continue
            reaped.append((path.stem, why))
    return reaped


def _claim_problem(path: Path, is_alive: Callable[[str], bool]) -> str:
    from looop.core.fsio import STATE_MAX_BYTES, read_bytes

    try:
        raw = read_bytes(path, STATE_MAX_BYTES)
        claim = json.loads(raw) if raw is not None else None
    except (OSError, ValueError, RecursionError):
        return "unparseable"
    if raw is None:
        return "not a regular file"
    if not isinstance(claim, dict):
        return "not a JSON object"
    session = claim.get("session")
    if not isinstance(session, str) or not session:
        return "names no session"
    if not is_alive(session):
        return f"session {session} is not alive"
    return ""
