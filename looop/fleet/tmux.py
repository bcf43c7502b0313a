"""Surfacing, the tmux half: one window per newly flagged worker.

When a tmux server is running (and LOOOP_TMUX_SURFACE is not 0), a new flag
opens a window running the exact attach command, so the question pops up
where the human already works. `.tmux-surfaced` remembers which flags popped:
each flag pops once, and a re-flag (a new question) pops again.
"""

from __future__ import annotations

import os
import shutil
from typing import Iterable

from looop import cmd, events
from looop.fleet import Worker
from looop.fsio import atomic_write, read_text
from looop.paths import Paths


def enabled() -> bool:
    from looop import knobs

    return bool(knobs.get("tmux_surface"))


def _tmux(*args: str) -> cmd.Result:
    return cmd.run(["tmux", *args], timeout=5)


def server_running() -> bool:
    done = _tmux("list-sessions")
    return done.ok and bool(done.out.strip())


def flag_key(w: Worker) -> str:
    """One flag: the worker and when it was raised (so a re-flag is a new key)."""
    return f"{w.id}\t{w.flagged_at or ''}"


def attach_prefix(paths: Paths) -> str:
    """`looop` as the tmux server's shell must run it: absolute, with this profile spelled out."""
    import shlex

    from looop.selfbin import looop_bin

    words = [f"LOOOP_DATA_DIR={shlex.quote(str(paths.data))}"]
    if os.environ.get("LOOOP_FLEET_DIR"):
        words.append(f"LOOOP_FLEET_DIR={shlex.quote(str(paths.fleet_root))}")
    return " ".join([*words, shlex.quote(looop_bin(paths))])


def surface(paths: Paths, workers: Iterable[Worker]) -> list[str]:
    """Open a window per flag not surfaced yet; return the ids that popped."""
    if not enabled():
        return []
    flagged = {flag_key(w): w for w in workers if w.alive and w.flagged}
    before = set((read_text(paths.tmux_surfaced, "") or "").splitlines()) - {""}
    remembered = before & flagged.keys()  # flags that ended are forgotten
    popped: list[str] = []
    fresh = [k for k in flagged if k not in before]
    if fresh and shutil.which("tmux") and server_running():
        cmd = attach_prefix(paths)
        for key in fresh:
            w = flagged[key]
            done = _tmux("new-window", "-d", "-n", f"⚑ {w.name}", f"{cmd} attach {w.name}")
            if done.ok:
                remembered.add(key)
                popped.append(w.id)
                events.emit(paths.events, "surfaced", session=w.id, via="tmux")
    if remembered != before:
        if remembered:
            atomic_write(paths.tmux_surfaced, "".join(f"{k}\n" for k in sorted(remembered)))
        else:
            paths.tmux_surfaced.unlink(missing_ok=True)
    return popped
