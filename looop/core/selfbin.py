"""How to invoke this looop again (LOOOP_BIN), and the environment every
child of the loop (sensor, runner, worker) gets."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

from looop.core.paths import Paths


def looop_bin(paths: Paths) -> str:
    """An absolute path that runs this very looop with any arguments."""
    given = os.environ.get("LOOOP_BIN")
    if given and os.path.isabs(given) and os.access(given, os.X_OK):
        return given
    argv0 = sys.argv[0] if sys.argv and sys.argv[0] else ""
    if argv0 and os.path.basename(argv0) not in ("__main__.py", "-c", "-m"):
        path = os.path.abspath(argv0) if os.sep in argv0 else shutil.which(argv0)
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return _shim(paths)


def _shim(paths: Paths) -> str:
    """A tiny launcher for `python -m looop` runs, kept in the data dir."""
    from looop.core.fsio import atomic_write

    package_parent = Path(__file__).resolve().parent.parent.parent
    script = (
        "#!/bin/sh\n"
        f"PYTHONPATH={shlex.quote(str(package_parent))}${{PYTHONPATH:+:$PYTHONPATH}} "
        f"exec {shlex.quote(sys.executable)} -m looop \"$@\"\n"
    )
    shim = paths.bin_dir / "looop"
    try:
        current = shim.read_text()
    except OSError:
        current = None
    if current != script:
        atomic_write(shim, script, mode=0o755)
    return str(shim)


def user_command(paths: Paths) -> str:
    """How a human types looop: `looop` when that is on PATH, else the full path."""
    binary = looop_bin(paths)
    found = shutil.which("looop")
    word = "looop" if found and os.path.realpath(found) == os.path.realpath(binary) else shlex.quote(binary)
    if not paths.is_default_profile:
        word = f"LOOOP_DATA_DIR={shlex.quote(str(paths.data))} {word}"
    return word


def child_env(paths: Paths, **extra: str) -> dict[str, str]:
    """The environment of every process the loop starts: where things are, and that it is looop's."""
    from looop.core.color import enabled

    env = dict(os.environ)
    env.update(
        LOOOP_BIN=looop_bin(paths),
        LOOOP_DATA_DIR=str(paths.data),
        LOOOP_CONFIG=str(paths.config),
        CLAIMS_DIR=str(paths.claims),
        REPORTS_DIR=str(paths.reports),
        COST_LEDGER=str(paths.ledger),
        LOOOP_COLOR="1" if enabled() else "0",
        LOOOP_CHILD="1",  # a hand of the loop: the human-only verbs refuse it (looop.core.caller)
    )
    env.update(extra)
    return env
