"""`looop up` waits for the new pulse's first beat, so it can say what happened.

A pulse that dies at once (a missing runner, a bad config) is an error, not
"pulse started"; a slow first decision is said as such.
"""

from __future__ import annotations

import json
import time
from typing import Any

from looop.core.paths import Paths

FIRST_BEAT_WAIT = 90.0

_WORDS = {
    "world_unchanged": "world unchanged, no decision needed",
    "decided": "decided",
    "tick_failed": "FAILED (the runner failed)",
    "beat_failed": "FAILED",
    "paused": "paused, no decision",
    "budget_exhausted": "budget reached, no decision",
}


def _since_start(paths: Paths, pid: int) -> list[dict[str, Any]]:
    from looop.core.fsio import tail_lines

    out: list[dict[str, Any]] = []
    for line in tail_lines(paths.events, 200):
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        if not isinstance(ev, dict):
            continue
        if ev.get("event") == "pulse_start" and ev.get("pid") == pid:
            out = []
            continue
        out.append(ev)
    return out


def outcome(paths: Paths, pid: int) -> str:
    """How the pulse's first beat ended, in a few words."""
    for ev in reversed(_since_start(paths, pid)):
        name = ev.get("event")
        if name in _WORDS:
            words = _WORDS[name]
            if name == "decided" and ev.get("journal"):
                words += f": {' '.join(str(ev['journal']).split())[:100]}"
            if name == "beat_failed" and ev.get("why"):
                words += f": {' '.join(str(ev['why']).split())[:140]}"
            return words
    return "done"


def wait(paths: Paths, pid: int, session, timeout: float = FIRST_BEAT_WAIT) -> str | None:
    """'done' once the pulse rested after its first beat; 'ended' if its session ended; None on timeout."""
    from looop.beat import pulse
    from looop.fleet import sessions

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pulse.recorded(paths, pid):
            return "done"
        if sessions.state_of(session) not in sessions.ALIVE_STATES:
            return "ended"
        time.sleep(0.05)
    return None
