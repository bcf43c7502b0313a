"""ACT, typed: the runner describes one move in its decision file; looop makes it.

Each decider call (a beat, a `looop run`) has its own file, `.decision-<pid>-<token>.json`,
named in its prompt and in LOOOP_DECISION: a run beside a beat never reads, deletes
or makes the other's move.

The runner's exit 0 is not yet success: the decision must be there, parse,
validate and execute. Any of those failing fails the beat (no journal line,
hash unsaved, backoff, quoted under LAST FAILURE).
"""

from __future__ import annotations

import time

from looop.beat.agent_act import Acted, Plan, run_runner
from looop.core.errors import FatalError
from looop.core.log import fail


def typed(plan: Plan) -> Acted:
    from looop.core.fsio import atomic_write
    from looop.moves import decision
    from looop.moves.execute import execute

    paths, own = plan.paths, plan.decision
    decision.clear(own)
    try:
        acted = run_runner(plan)
        if not acted.ok:
            return acted
        started = time.monotonic()
        try:
            move = decision.take(own)
            done = execute(paths, move, by="decider")
        except FatalError as exc:
            why = f"move failed: {exc}"
            _note(plan, why)
            fail(why)
            return Acted(ok=False, seconds=acted.seconds + time.monotonic() - started, exit_code=0, why=why)
    finally:
        decision.clear(own)  # this call's file, whatever came of it: none piles up
    _note(plan, f"move done: {done.summary}")
    if done.next_interval is not None:
        atomic_write(paths.next_interval, f"{done.next_interval}\n")
    return Acted(ok=True, seconds=acted.seconds + time.monotonic() - started, journal=done.line,
                 extra={"move": move.get("move")})


def _note(plan: Plan, text: str) -> None:
    """The run's replay log says what looop made of the decision."""
    try:
        with open(plan.output_log, "a", encoding="utf-8") as fh:
            fh.write(f"looop: {text}\n")
    except OSError:
        pass
