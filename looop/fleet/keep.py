"""Finished workers, kept: a session the beat has shown to the AI moves out of
the live fleet into `fleet/finished/`, where `ls`, `status`, `screenshot` and
`watch` still find its log, screen and verify result for `worker_log_keep`
(7 days). Out of `sessions/`, it never wakes a beat again and its id is free.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from looop.fleet import sessions


def retire(fleet_root: Path, only: set[str], keep_s: float) -> list[str]:
    """Move the ended sessions of `only` into finished/ (remove them when keep_s is 0); drop expired ones."""
    gone = []
    for session in sessions.all_sessions(fleet_root):
        if session.id not in only or sessions.state_of(session) in sessions.ALIVE_STATES:
            continue
        if keep_s <= 0:
            sessions.remove(session)
        else:
            slot = sessions.finished_dir(fleet_root) / f"{time.time():.6f}-{os.getpid()}"
            slot.mkdir(parents=True, exist_ok=True)
            try:
                os.replace(session.path, slot / session.id)
            except OSError:
                shutil.rmtree(slot, ignore_errors=True)
                sessions.remove(session)
        gone.append(session.id)
    expire(fleet_root, keep_s)
    return gone


def expire(fleet_root: Path, keep_s: float, now: float | None = None) -> None:
    now = time.time() if now is None else now
    for slot in sessions.finished_slots(fleet_root):
        if now - sessions.finished_stamp(slot) > keep_s:
            shutil.rmtree(slot, ignore_errors=True)


def workers(fleet_root: Path) -> list:
    """The kept sessions as Workers (their health is `finished`), newest first."""
    from dataclasses import replace

    now = time.time()
    return [replace(sessions.worker(s, now), health="finished") for s in sessions.kept(fleet_root)]
