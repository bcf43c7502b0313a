"""DIFF: the world as parts and one digest, next to the last decided beat's.

The world is the PLAYBOOK, the goals, the readings, the workers, the
schedules and the asks; a beat only decides when its digest differs from the
one saved after the last move that succeeded (level-triggered).
"""

from __future__ import annotations

from looop.beat import world
from looop.beat.value import Beat
from looop.core.fsio import read_text
from looop.time import schedules


def diff(b: Beat) -> None:
    paths = b.paths
    b.timed = schedules.load_all(paths)
    b.parts = (world.parts(paths.playbook, paths.goals, b.snap_dir, b.workers, read_limit())
               + schedules.world_parts(b.timed) + world.ask_parts(paths))
    b.hash = world.digest(b.parts)
    b.unchanged = read_text(paths.last_hash, "").strip() == b.hash


def read_limit() -> int | None:
    """How many bytes of a goal or the PLAYBOOK a beat reads: enough for the
    prompt's per-body cap in characters (up to 4 bytes each), never the whole file."""
    from looop.core import knobs

    body_max = knobs.get("prompt_body_max")
    return body_max * 4 + 1 if body_max > 0 else None
