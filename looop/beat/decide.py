"""DECIDE: check budget and runner, write the prompt, and hand ACT a Plan.

The prompt is written into a fresh run dir before anything runs, so every
decision can be replayed. A dry run stops here; a spend cap holds the runner
back (the hash stays unsaved, so the loop resumes by itself).
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from looop.beat.housekeeping import runner_record
from looop.beat.inputs import guard_sections, inputs
from looop.beat.sensing import report
from looop.beat.value import Beat, Before, Outcome, Result
from looop.core.log import say, warn
from looop.core.paths import Paths
from looop.records import events


def decide(b: Beat) -> Outcome | None:
    report(b.readings, b.snap_dir)
    return plan(b)


def plan(b: Beat) -> Outcome | None:
    """Load the config, check budget and runner, write the prompt: a Plan in `b.plan`, or why not."""
    from looop.beat import fairness, prompt
    from looop.core import knobs
    from looop.guard import noop
    from looop.records import runs
    from looop.setup import config

    paths, focus, dry_run = b.paths, b.focus, b.dry_run
    cfg = config.load(paths.config)
    runner_name, command = cfg.tick_command()
    if b.routine and _over_budget(paths, cfg.data):
        return Outcome(Result.HELD)
    if not dry_run:
        from looop.setup.preflight import check_runner

        check_runner(cfg, runner_name)
    label = f"goal-{focus}" if focus else "tick"
    moves = cfg.data.get("moves", "agent")
    shown = inputs(b)
    shown.moves = moves
    own = paths.decision_for(f"{os.getpid()}-{secrets.token_hex(4)}")  # typed: this call's file alone
    shown.decision = own.name
    from looop.box import rules_line

    shown.sandbox = rules_line(cfg.data)  # the box, or why there is none (§19)
    if not dry_run:
        from looop.box.notice import say_off

        say_off(paths, cfg.data)  # auto found no box: once a day in attention (§19)
    shown.extra = guard_sections(paths, b.parts, cfg.data, consume=not dry_run)
    run_dir = runs.new_run_dir(paths.runs, label, prompt.build(shown))
    prompt_file = run_dir / "prompt.md"
    if dry_run:
        if b.unchanged:
            say("world unchanged: a real beat would skip the runner", "dim")
        say(f"dry run: prompt written to {prompt_file}")
        print(prompt_file, flush=True)
        return Outcome(Result.DRY_RUN, run_dir=run_dir, prompt=prompt_file)

    kind, cost_id = ("goal", focus) if focus else ("tick", run_dir.name)
    say(f"decide: {label} via {runner_name} (replay: {run_dir})", "bold")
    events.emit(paths.events, "decide_start", run=run_dir.name, runner=runner_name, **({"goal": focus} if focus else {}))
    env = dict(b.env, LOOOP_COST_KIND=kind, LOOOP_COST_RUNNER=runner_name, LOOOP_COST_ID=cost_id)
    if moves == "typed":
        env["LOOOP_DECISION"] = own.name  # the name the prompt gives, for a runner that reads env
    from looop.beat.agent_act import Plan

    b.plan = Plan(paths=paths, config=cfg.data, runner=runner_name, command=command, run_dir=run_dir, env=env,
                  focus=focus, moves=moves, record=None if focus else runner_record(paths), decision=own)
    noop_ttl = knobs.whole("noop_ttl", cfg.data)  # a bad knob fails before the move, not after
    b.before = Before(fingerprint=noop.fingerprint(paths.data, b.workers), journal_size=size(paths.journal),
                      noop_ttl=noop_ttl, git=cfg.git, goals_before=fairness.observe(paths, b.workers))
    return None


def size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def _over_budget(paths: Paths, config: dict) -> bool:
    """A spend cap is reached: skip the runner (the hash stays unsaved, so it resumes by itself)."""
    from looop.records import budget

    state = budget.check(paths.events, paths.ledger, config)
    budget.note(paths.budget_state, state)
    if not state.exhausted:
        return False
    until = time.strftime("%H:%M", time.localtime(state.resumes_at or time.time()))
    warn(f"budget reached ({state.reason}): skipping the runner until {until}")
    events.emit(paths.events, "budget_exhausted", reason=state.reason,
                resumes_at=budget.utc(state.resumes_at) if state.resumes_at else None)
    return True
