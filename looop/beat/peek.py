"""`looop tick --dry-run` beside a running pulse: SENSE, DIFF and the prompt, nothing shared touched.

The pulse holds the lock and owns the beat's files; a dry run that goes
alongside it senses into a private dir, runs no verify, reaps nothing, never
passes the gate and never saves a hash. It only writes its own run dir.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from looop.core.paths import Paths


def dry_run(paths: Paths) -> int:
    from looop import fleet
    from looop.beat import tick, world
    from looop.core import knobs
    from looop.core.fsio import read_text
    from looop.core.log import say
    from looop.core.selfbin import child_env
    from looop.mailbox import asking
    from looop.setup import config
    from looop.time import schedules

    config.load(paths.config, valid_cache=paths.valid_config)
    env = child_env(paths)
    snap_dir = Path(tempfile.mkdtemp(prefix="looop-peek-"))
    try:
        readings = tick._sense(paths, snap_dir, env)
        workers = fleet.workers(paths.fleet_root, config=knobs.config_dict(paths.config),
                                asks=asking.blocked_workers(paths))
        timed = schedules.load_all(paths)
        parts = (world.parts(paths.playbook, paths.goals, snap_dir, workers, tick.read_limit())
                 + schedules.world_parts(timed) + world.ask_parts(paths))
        world_hash = world.digest(parts)
        unchanged = read_text(paths.last_hash, "").strip() == world_hash
        tick._report(readings, snap_dir)
        seen = tick.Seen(workers=workers, parts=parts, hash=world_hash, unchanged=unchanged, timed=timed)
        say("a pulse is running: this dry run goes alongside it (nothing of the beat's is touched)", "dim")
        tick.decide(paths, env, snap_dir, seen, dry_run=True, focus=None)
    finally:
        shutil.rmtree(snap_dir, ignore_errors=True)
    return 0
