"""RECORD: keep what the move came to.

On success the world hash is saved (so the next beat sees an unchanged world),
noop is settled, fairness stamped and the data dir committed; on failure the
hash stays unsaved and the failure is remembered, so the next beat retries.
"""

from __future__ import annotations

from looop import fleet
from looop.beat import world
from looop.beat.decide import size
from looop.beat.value import Beat, Outcome, Result
from looop.core.fsio import atomic_write
from looop.core.log import fail, say, warn
from looop.core.paths import Paths
from looop.records import events, journal
from looop.time import schedules


def record(b: Beat) -> Outcome:
    """Keep the result: on success save the hash, settle noop, commit; else remember the failure."""
    from looop.beat import fairness
    from looop.guard import noop
    from looop.records import failures as failure

    plan, paths, acted, before = b.plan, b.paths, b.acted, b.before
    run_dir, prompt_file = plan.run_dir, plan.prompt_file
    if not acted.ok:
        streak = failure.record(paths.last_failure, exit_code=acted.exit_code, why=acted.why,
                                output_log=plan.output_log, run=run_dir.name)
        in_row = f", {streak} beats in a row" if streak > 1 else ""
        fail(f"{f'run {plan.focus}' if plan.focus else 'tick'} FAILED ({acted.why}{in_row}); replay: {plan.output_log}")
        events.emit(paths.events, "tick_failed", run=run_dir.name, exit_code=acted.exit_code,
                    timed_out=acted.timed_out)
        return Outcome(Result.FAILED, run_dir=run_dir, prompt=prompt_file, exit_code=acted.exit_code or 1)
    failure.clear(paths.last_failure)
    workers_after = fleet.workers(paths.fleet_root)
    touched = fairness.touched(paths, before.goals_before, workers_after)
    fairness.stamp_many(paths, touched + ([plan.focus] if plan.focus else []))
    if not plan.focus:
        settled = schedules.without_dropped(paths, without_finished(b.parts, b.workers))
        world_hash = world.digest(settled)
        atomic_write(paths.last_hash, world_hash + "\n")
        _save_world(paths, settled)
        moved_to = noop.fingerprint(paths.data, workers_after)
        noop.settle(paths.noop_state, before.fingerprint, moved_to, world_hash, before.noop_ttl)
    line = acted.journal or (journal.last(paths.journal) if size(paths.journal) != before.journal_size else "")
    seconds = acted.seconds
    if line:
        say(f"decided in {seconds:.1f}s: {line}", "green")
    else:
        warn(f"decided in {seconds:.1f}s, but the runner wrote no journal line")
    events.emit(paths.events, "decided", run=run_dir.name, seconds=round(seconds, 3), journal=line)
    if before.git:
        _commit(paths, line.lstrip("- ").strip() or f"looop: {run_dir.name}")
    return Outcome(Result.DECIDED, run_dir=run_dir, prompt=prompt_file, exit_code=0)


def without_finished(parts: list, workers: list) -> list:
    """The world as it stands once the shown finished workers are pruned, so
    their going does not wake the next beat a second time."""
    gone = {f"worker:{w.id}" for w in workers if w.settled}
    return [p for p in parts if p[0] not in gone]


def _commit(paths: Paths, message: str) -> None:
    """Commit the tracked files; a failure is said once, in status and as an event."""
    from looop.records import memory

    done = memory.commit(paths.data, message)
    if not done.problem:
        paths.git_failure.unlink(missing_ok=True)
        return
    import json

    warn(f"the move stands, but its history was not kept: {done.problem}")
    events.emit(paths.events, "git_failed", problem=done.problem)
    atomic_write(paths.git_failure, json.dumps({"ts": events.utc_now(), "problem": done.problem}) + "\n")


def _save_world(paths: Paths, parts: list) -> None:
    from looop.records import changes

    changes.save(paths.world_state, parts, changes.load(paths.world_state))
