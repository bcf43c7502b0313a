"""ACT: the one move of a decided beat, made one of two ways.

`agent` runs the runner and lets it make its move itself (the original
behaviour); `typed` runs the runner to *describe* one move, which looop checks
and carries out (`looop/moves/`). Either way ACT returns one `Acted` and never
touches the hash or the journal's bookkeeping: RECORD does that.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from looop.core.paths import Paths


@dataclass(frozen=True)
class Plan:
    """What DECIDE hands on: the prompt is written, the runner is chosen."""

    paths: Paths
    config: dict[str, Any]
    runner: str
    command: str
    run_dir: Path
    env: dict[str, str]
    focus: str | None
    moves: str = "agent"  # agent | typed
    record: Path | None = None  # where the running runner is noted (None for a manual run)
    decision: Path = Path(".decision.json")  # typed: this call's own decision file (Paths.decision_for)

    @property
    def prompt_file(self) -> Path:
        return self.run_dir / "prompt.md"

    @property
    def output_log(self) -> Path:
        return self.run_dir / "output.log"


@dataclass
class Acted:
    """What the move came to."""

    ok: bool
    seconds: float
    exit_code: int = 0
    timed_out: bool = False
    why: str = ""  # why it failed, one line (quoted under LAST FAILURE)
    journal: str = ""  # the line looop journaled itself (typed moves)
    extra: dict[str, Any] = field(default_factory=dict)


def tick_timeout() -> float:
    from looop.core import knobs

    return float(knobs.get("tick_timeout"))


def run_runner(plan: Plan) -> Acted:
    """Run the tick command once (with retries), tee its output to tick.log."""
    from looop.box.hands import decider
    from looop.core.errors import FatalError
    from looop.guard import retry

    started = time.monotonic()
    try:
        with decider(plan) as boxed:  # the box, when on: the runner writes only what §19 lets it
            result = retry.run(plan.command, cwd=plan.paths.data, prompt_file=plan.prompt_file, env=boxed.env,
                               log_file=plan.output_log, timeout=tick_timeout(), config=plan.config,
                               events=plan.paths.events, record=plan.record, wrap=boxed.wrap)
    except FatalError as exc:  # an explicit box that cannot run: the beat fails, nothing ran
        return Acted(ok=False, seconds=time.monotonic() - started, exit_code=1, why=str(exc))
    seconds = time.monotonic() - started
    _copy_to_tick_log(plan)
    if result.failed:
        return Acted(ok=False, seconds=seconds, exit_code=result.code or 1, timed_out=result.timed_out,
                     why=result.why(tick_timeout()))
    return Acted(ok=True, seconds=seconds)


def agent(plan: Plan) -> Acted:
    """The runner is an agent with a shell: it makes its move and journals it."""
    return run_runner(plan)


def _copy_to_tick_log(plan: Plan) -> None:
    tick_log = plan.paths.tick_log
    try:
        shutil.copyfile(plan.output_log, tick_log.with_suffix(".log.tmp"))
        os.replace(tick_log.with_suffix(".log.tmp"), tick_log)
    except OSError:
        pass
