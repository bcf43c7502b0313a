"""The deterministic halves of a beat: the PLAYBOOK gate and claim reaping.

The gate protects "nothing irreversible happens automatically": the AI may
propose a new PLAYBOOK but never make it live; a human edit is adopted. Claim
reaping keeps leases level-triggered: a claim whose worker is gone is gone.
Both are plain file operations.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

from looop.fsio import atomic_write


def _bytes(path: Path) -> bytes | None:
    from looop.fsio import read_bytes

    return read_bytes(path)  # never blocks on a FIFO; not a regular file reads as absent


def gate_pre(playbook: Path, approved: Path, history: Path | None = None) -> str | None:
    """Before the AI runs: set or adopt the baseline. Returns what it did.

    When the live text changes, the one it replaced is kept in `history`."""
    live = _bytes(playbook)
    if live is None:
        return None
    base = _bytes(approved)
    if base is None:
        atomic_write(approved, live)
        return "baseline"
    if base != live:
        _keep(history, base, "adopted")
        atomic_write(approved, live)
        return "adopted"
    return None


def gate_post(playbook: Path, approved: Path, proposed: Path) -> bool:
    """After the AI ran: park a direct PLAYBOOK edit and restore the baseline."""
    base = _bytes(approved)
    live = _bytes(playbook)
    if base is None or live == base:
        return False
    if live is not None:
        atomic_write(proposed, live)
    atomic_write(playbook, base)
    return True


def approve(playbook: Path, approved: Path, proposed: Path, history: Path | None = None) -> bool:
    text = _bytes(proposed)
    if text is None:
        return False
    _keep(history, _bytes(playbook), "approved")
    atomic_write(playbook, text)
    atomic_write(approved, text)
    os.unlink(proposed)
    return True


def _keep(history: Path | None, text: bytes | None, reason: str) -> None:
    if history is not None:
        from looop import history as kept

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
    from looop.fsio import STATE_MAX_BYTES, read_bytes

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
