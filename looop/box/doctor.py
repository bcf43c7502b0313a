"""`looop doctor`'s word on the box: which one is in use, and proof that it holds.

One boxed `true` must run, and one write into the data dir from inside must
be refused (and leave nothing behind). With the box off, it says why.
"""

from __future__ import annotations

import subprocess
import time

from looop.core.paths import Paths


def report(paths: Paths) -> list[str]:
    """Lines for the doctor; a line starting with "!" is a problem."""
    from looop.box import hands, resolve
    from looop.core import knobs
    from looop.core.errors import FatalError

    config = knobs.config_dict(paths.config)
    try:
        box = resolve(config)
    except FatalError as exc:
        return [f"! {exc}"]
    if box.broken:
        return [f"! {box.describe()}"]
    if not box.on:
        return [f"{box.describe()}: the data dir, HOME and the PLAYBOOK gate rest on conventions"]
    lines = [f"sandbox: {box.kind} ({box.exe}, {box.why})"]
    paths.data.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    done = _run(hands.command(paths, "shell", ["true"], config=config))
    ms = (time.monotonic() - started) * 1000
    lines.append(f"  boxed `true`: ok ({ms:.0f} ms)" if done == 0 else f"! boxed `true` exited {done}")
    probe = paths.data / ".doctor-box-probe"
    probe.unlink(missing_ok=True)
    done = _run(hands.command(paths, "shell", ["sh", "-c", f"echo x > '{probe}'"], config=config))
    if done != 0 and not probe.exists():
        lines.append("  a write into the data dir from inside: refused (read-only)")
    else:
        probe.unlink(missing_ok=True)
        lines.append("! a write into the data dir from inside the box went through: the box does not hold")
    return lines


def _run(argv: list[str]) -> int:
    try:
        return subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=30).returncode
    except (OSError, subprocess.TimeoutExpired):
        return -1
