"""`looop tick` (one beat) and `looop run <goal>` (one forced move)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from looop.commands import usage
from looop.core.errors import ExitStatus, FatalError
from looop.core.locks import PulseLock
from looop.core.log import say
from looop.core.paths import Paths, resolve
from looop.records import events


@contextmanager
def holding_the_lock(paths: Paths) -> Iterator[None]:
    """The pulse lock for beats outside the pulse (tick, demo): one beat at a
    time, and the runner's record lives in the lock dir."""
    from looop.beat import reap_orphan_runner
    from looop.setup.seed import make_data_dir

    make_data_dir(paths)
    lock = PulseLock(paths.lock_dir)
    if not lock.acquire():
        pid = lock.holder()
        raise FatalError(f"a looop pulse is running on {paths.data} ({f'pid {pid}' if pid else 'pid unknown'}); "
                         "it beats on its own, so not running another beat now", ExitStatus.FAILED)
    try:
        reap_orphan_runner(paths)
        yield
    finally:
        lock.release()


def tick(paths: Paths, dry_run: bool = False, quiet: bool = False) -> int:
    from looop.beat import Result, beat

    if dry_run and PulseLock(paths.lock_dir).holder():  # never waits for, or takes, a running pulse's lock
        from looop.beat import peek

        return peek.dry_run(paths)
    with holding_the_lock(paths):
        outcome = beat(paths, dry_run=dry_run, quiet=quiet)
    return 1 if outcome.result is Result.FAILED else 0


def check_goal_id(goal: str) -> str:
    """Goal ids are plain names: no path separators, `..`, or leading dash."""
    from looop.core.ids import check_plain

    if goal.endswith(".md"):
        goal = goal[:-3]
    return check_plain(goal, "goal id")


def run_goal(paths: Paths, goal: str) -> int:
    from looop.beat import Result, beat
    from looop.setup import seed

    goal = check_goal_id(goal)
    seed.ensure(paths)
    if not ((paths.goals / f"{goal}.md").is_file() or (paths.archive / f"{goal}.md").is_file()):
        names = sorted({p.stem for p in paths.goals.glob("*.md")})
        archived = sorted({p.stem for p in paths.archive.glob("*.md")})
        listing = ", ".join(names) or "(none)"
        if archived:
            listing += f"; archived: {', '.join(archived)}"
        raise FatalError(f"no goal '{goal}' in {paths.goals} (goals: {listing})", ExitStatus.FAILED)
    _within_daily_budget(paths, goal)
    holder = PulseLock(paths.lock_dir).holder()
    if holder:
        say(f"note: a pulse is running (pid {holder}); this manual run goes alongside it", "dim")
    events.emit(paths.events, "manual_run", goal=goal)
    outcome = beat(paths, focus=goal)
    return 1 if outcome.result is Result.FAILED else 0


def _within_daily_budget(paths: Paths, goal: str) -> None:
    """A forced move overrides the hourly cap, never the money: past daily_budget_usd it is refused."""
    from looop.core import knobs
    from looop.records.cost import today_total, usd
    from looop.setup import config

    daily = knobs.amount("daily_budget_usd", config.load(paths.config).data)
    if daily is None:
        return
    spent = today_total(paths.ledger)
    if spent >= daily:
        events.emit(paths.events, "budget_exhausted", reason="daily budget", goal=goal)
        raise FatalError(f"run {goal}: not run, the daily budget is spent (${usd(spent)} of ${usd(daily)} today; "
                         f"it resets at midnight). Raise daily_budget_usd in {paths.config} to run it anyway", ExitStatus.FAILED)


class Tick(usage.Verb):
    dry_run = usage.flag(["--dry-run", "-n"], help="sense and diff, write the prompt, do not call the runner")
    quiet = usage.flag(["--quiet", "-q"], help="print nothing when the world is unchanged")

    def main(self) -> int:
        return tick(resolve(), dry_run=self.dry_run, quiet=self.quiet)


class Run(usage.Verb):
    def main(self, goal: str) -> int:
        return run_goal(resolve(), goal)
