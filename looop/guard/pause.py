"""Pause: the beat keeps sensing and serving asks, but makes no decision.

`looop pause [--for DUR] [REASON]` writes the `paused` file (JSON: since,
reason, until); every beat reads it before DECIDE. A pause that ran out ends
itself at the next beat (journaled). An older, empty `paused` file still
pauses, without a reason or an end.
"""

from __future__ import annotations

import json
import time
from typing import Any

from looop.core.paths import Paths
from looop.core.stamps import parse_utc, utc


def state(paths: Paths) -> dict[str, Any] | None:
    """{"since", "reason", "until"} while paused (until None: until resumed), else None."""
    try:
        raw = paths.paused.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None
    except OSError:
        return {"since": None, "reason": "", "until": None}
    try:
        data = json.loads(raw) if raw.strip() else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    reason = data.get("reason")
    until = data.get("until")
    return {"since": data.get("since") if isinstance(data.get("since"), str) else None,
            "reason": reason if isinstance(reason, str) else "",
            "until": until if isinstance(until, str) and parse_utc(until) is not None else None}


def current(paths: Paths) -> dict[str, Any] | None:
    """The pause as it holds now: None when not paused or when its time ran out (the next beat lifts it)."""
    held = state(paths)
    return None if held is None or ran_out(held) else held


def ran_out(held: dict[str, Any], now: float | None = None) -> bool:
    end = parse_utc(held.get("until"))
    return end is not None and end <= (time.time() if now is None else now)


def words(held: dict[str, Any]) -> str:
    """`paused (reason) until 14:30` — the one way status, the beat and the prompt say it."""
    text = "paused"
    if held.get("reason"):
        text += f" ({' '.join(held['reason'].split())[:200]})"
    end = parse_utc(held.get("until"))
    if end is not None:
        text += f" until {time.strftime('%Y-%m-%d %H:%M', time.localtime(end))}"
    else:
        text += " until `looop resume`"
    return text


def pause(paths: Paths, reason: str, for_s: int | None) -> dict[str, Any]:
    from looop.core.fsio import atomic_write

    now = time.time()
    held = {"since": utc(now), "reason": " ".join(reason.split()), "until": utc(now + for_s) if for_s else None}
    atomic_write(paths.paused, json.dumps(held) + "\n")
    return held


def resume(paths: Paths) -> dict[str, Any] | None:
    held = state(paths)
    paths.paused.unlink(missing_ok=True)
    return held


def holds(paths: Paths, readings: list, quiet: bool = False) -> bool:
    """The beat's gate before DECIDE: True while paused (said once per beat);
    a pause that ran out is lifted here, journaled, and the beat goes on."""
    from looop.records import events

    held = state(paths)
    if held is None:
        return False
    if ran_out(held):
        from looop.core.log import say
        from looop.moves.execute import journal

        paths.paused.unlink(missing_ok=True)
        events.emit(paths.events, "resumed", by="timer")
        say("the pause ran out: deciding again")
        journal(paths, "pause ended (its time ran out)")
        return False
    failing = [r.sensor for r in readings if not r.ok]
    line = f"{words(held)}: sensed {len(readings)} sensor{'s' if len(readings) != 1 else ''}" + (
        f" (failing: {', '.join(failing)})" if failing else "") + ", no decision"
    if not quiet:
        from looop.core.log import say

        say(line, "yellow")
    events.emit(paths.events, "paused", reason=held["reason"], until=held["until"])
    return True


def prompt_section(paths: Paths) -> str:
    """For a move forced while paused (`looop run`): the loop is paused, start no worker."""
    held = state(paths)
    if held is None or ran_out(held):
        return ""
    return (f"The loop is {words(held)}. The human forced this one move: make it, "
            "and start no worker unless the goal asks for exactly that.\n")
