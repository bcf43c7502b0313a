"""Before SENSE: the data dir is seeded, odd files are said, the PLAYBOOK gate
runs, the config is checked and the house is kept.

A bad config or an unreadable PLAYBOOK fails here, before any sensor runs and
before anything is changed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from looop.beat import world
from looop.beat.housekeeping import housekeeping
from looop.beat.playbook import gate_pre
from looop.beat.value import Beat
from looop.core.errors import ExitStatus, FatalError
from looop.core.log import warn
from looop.core.paths import Paths
from looop.records import events
from looop.setup import seed


def prepare(b: Beat) -> None:
    paths = b.paths
    seed.ensure(paths)
    report_odd_files(paths)
    gate_pre(paths)
    events.emit(paths.events, "tick_start", **({"goal": b.focus} if b.focus else {}))
    from looop.setup import config

    config.load(paths.config, valid_cache=paths.valid_config)  # a bad config fails before sensing, not after
    if config.load(paths.config).git:
        from looop.records.memory import broken_dot_git

        broken = broken_dot_git(paths.data)
        if broken:  # never decide a move whose history could not be kept
            raise FatalError(f"{broken}; the beat stopped before sensing, so no move went unrecorded", ExitStatus.FAILED)
    housekeeping(paths)
    from looop.core.selfbin import child_env

    b.env = child_env(paths)
    # last, so that a beat that got this far always drops a forced move's private snapshots
    b.snap_dir = Path(tempfile.mkdtemp(prefix="looop-sense-")) if b.focus else paths.snapshots


def report_odd_files(paths: Paths) -> None:
    """A FIFO, device, directory or dangling link where looop reads a file is
    never read (it would block): it is reported each beat and treated as absent.
    The PLAYBOOK is the one the beat cannot go on without."""
    from looop.core.fsio import file_kind

    kind = file_kind(paths.playbook)
    if kind:
        raise FatalError(f"{paths.playbook} is {kind}, not a file; nothing was changed", ExitStatus.FAILED)
    files = [paths.proposed, paths.approved, paths.attention, paths.next_interval,
             paths.last_hash, paths.world_state, paths.noop_state, paths.budget_state, paths.last_failure]
    for folder, pattern in ((paths.goals, "*.md"), (paths.claims, "*.json")):
        try:
            files += sorted(folder.glob(pattern))
        except OSError:
            pass
    for path in files:
        kind = file_kind(path)
        if kind:
            where = world.shown(str(path))
            warn(f"{where} is {kind}, not a regular file: ignored (replace it with a file)")
            events.emit(paths.events, "file_ignored", file=where, kind=kind)
