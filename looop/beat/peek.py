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
    from looop.beat import Beat, decide, diff, sensing
    from looop.core import knobs
    from looop.core.log import say
    from looop.core.selfbin import child_env
    from looop.mailbox import asking
    from looop.setup import config

    config.load(paths.config, valid_cache=paths.valid_config)
    b = Beat(paths, dry_run=True, env=child_env(paths))
    b.snap_dir = Path(tempfile.mkdtemp(prefix="looop-peek-"))
    try:
        b.readings = sensing.read_sensors(paths, b.snap_dir, b.env)
        b.workers = fleet.workers(paths.fleet_root, config=knobs.config_dict(paths.config),
                                  asks=asking.blocked_workers(paths))
        diff.diff(b)
        sensing.report(b.readings, b.snap_dir)
        say("a pulse is running: this dry run goes alongside it (nothing of the beat's is touched)", "dim")
        decide.plan(b)
    finally:
        shutil.rmtree(b.snap_dir, ignore_errors=True)
    return 0
