"""The pipeline: `beat()` runs prepare, then each stage of STAGES until one says how the beat ended."""

from __future__ import annotations

import shutil
from collections.abc import Callable

from looop.beat import act, after, decide, diff, gates, prepare, record, sensing
from looop.beat.housekeeping import reap_orphan_runner
from looop.beat.value import Beat, Outcome, Result
from looop.core.paths import Paths

__all__ = ["STAGES", "Beat", "Outcome", "Result", "beat", "reap_orphan_runner"]

Stage = Callable[[Beat], "Outcome | None"]
STAGES: tuple[Stage, ...] = (sensing.sense, diff.diff, gates.first_answer, decide.decide, act.act, record.record)


def beat(paths: Paths, *, dry_run: bool = False, focus: str | None = None, quiet: bool = False) -> Outcome:
    """One beat. `quiet`: an unchanged beat prints nothing (its line is in Outcome.summary)."""
    b = Beat(paths, dry_run=dry_run, focus=focus, quiet=quiet)
    prepare.prepare(b)  # seeds, says odd files, the PLAYBOOK's first gate, the config, housekeeping
    try:
        outcome = _through(b)
    finally:
        if focus:  # a forced move sensed into a private dir
            shutil.rmtree(b.snap_dir, ignore_errors=True)
    after.after(b, outcome)
    return outcome


def _through(b: Beat) -> Outcome:
    """The stages in order, up to the first that says how the beat ended."""
    for stage in STAGES:
        outcome = stage(b)
        if outcome is not None:
            return outcome
    raise AssertionError("RECORD always ends the beat")
