"""`looop pause [--for DUR] [REASON]` and `looop resume`: hold the loop's decisions, journaled.

While paused the pulse still senses, serves asks and notifies; it makes no
decision and starts no worker. Nothing is removed: resume picks up where the
files stand.
"""

from __future__ import annotations

from collections.abc import Sequence

from looop.commands import usage
from looop.core.paths import Paths, resolve


def pause(paths: Paths, reason: Sequence[str], for_: str | None) -> int:
    from looop.guard import pause as held
    from looop.moves.execute import journal
    from looop.records import events
    from looop.setup import seed
    from looop.time.schedules import parse_duration

    seconds = parse_duration(for_, "--for") if for_ is not None else None
    if seconds == 0:
        from looop.core.errors import ExitStatus, FatalError

        raise FatalError("--for 0: give a length (30m, 2h, 1d), or leave --for out to pause until `looop resume`", ExitStatus.BAD_INPUT)
    seed.ensure(paths)
    state = held.pause(paths, " ".join(reason), seconds)
    events.emit(paths.events, "pause", reason=state["reason"], until=state["until"])
    line = journal(paths, held.words(state))
    print(f"{held.words(state)}: the pulse keeps sensing and serving asks, makes no decision and starts no worker; "
          f"`looop resume` ends it. Journaled: {line}")
    return 0


def resume(paths: Paths) -> int:
    from looop.guard import pause as held
    from looop.moves.execute import journal
    from looop.records import events

    state = held.resume(paths)
    if state is None:
        print("not paused: nothing to resume")
        return 0
    events.emit(paths.events, "resumed", by="human")
    line = journal(paths, "resumed" + (f" (was {held.words(state)})" if state.get("reason") or state.get("until")
                                       else ""))
    print(f"resumed: the next beat decides again. Journaled: {line}")
    return 0


class Pause(usage.Verb):
    for_ = usage.option("--for", str, None, argname="DUR", help="end the pause by itself after DUR (30m, 2h, 1d)")

    def main(self, *reason: str) -> int:
        return pause(resolve(), reason, self.for_)


class Resume(usage.Verb):
    def main(self) -> int:
        return resume(resolve())
