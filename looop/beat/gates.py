"""The gates between DIFF and DECIDE: the first that answers ends the beat.

A gate looks at what SENSE and DIFF found and either lets the beat go on to
decide (None) or says how it ends, with no decision and no move. The hash stays
as it was, so nothing is lost by not deciding now (level-triggered). A new gate
is one function here and one entry in GATES.
"""

from __future__ import annotations

from collections.abc import Callable

from looop.beat.sensing import in_brief
from looop.beat.value import Beat, Outcome, Result
from looop.core.log import say
from looop.core.paths import Paths
from looop.guard import pause
from looop.records import events

Gate = Callable[[Beat], "Outcome | None"]


def paused(b: Beat) -> Outcome | None:
    """The loop is paused: it senses and serves asks, and decides nothing."""
    if not b.routine or not pause.holds(b.paths, b.readings, b.quiet):
        return None
    return Outcome(Result.PAUSED)


def unchanged(b: Beat) -> Outcome | None:
    """The world is as the last decision left it: no decision needed."""
    if not b.unchanged or not b.routine or must_decide(b.paths, b.hash):
        return None
    summary = "world unchanged: no decision needed" + in_brief(b.readings)
    if not b.quiet:
        say(summary, "dim")
    events.emit(b.paths.events, "world_unchanged", hash=b.hash)
    return Outcome(Result.UNCHANGED, summary=summary)


GATES: tuple[Gate, ...] = (paused, unchanged)


def first_answer(b: Beat) -> Outcome | None:
    """The pipeline's gate stage: the first gate that answers, in GATES order."""
    for gate in GATES:
        outcome = gate(b)
        if outcome is not None:
            b.gate = gate.__name__
            return outcome
    return None


def must_decide(paths: Paths, world_hash: str) -> bool:
    """An unchanged world still decides when a run_shell result waits to be seen, or a noop expired."""
    if paths.last_shell.exists():  # a crashed run_shell became one in prepare; a live `looop shell` is not news
        return True
    return _noop_expired(paths, world_hash)


def _noop_expired(paths: Paths, world_hash: str) -> bool:
    """The last decision changed nothing and the world sat still past LOOOP_NOOP_TTL."""
    from looop.guard import noop

    age = noop.expired(paths.noop_state, world_hash)
    if age is None:
        return False
    say(f"world unchanged for {age / 3600:.1f}h after a decision that changed nothing: deciding again")
    return True
