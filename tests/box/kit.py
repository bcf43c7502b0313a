"""Helpers for the box tests: does bwrap run here, the hostile stand-in, a process scan."""

from __future__ import annotations

import os
import shlex
import socket
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, Loop

HOSTILE = FIXTURES / "runners" / "hostile"
FILE_ATTACKS = ("playbook", "config", "answers", "git", "baseline", "other", "bashrc", "etc", "usr")


def _bwrap_problem() -> str:
    from looop.box import bwrap

    exe, why = bwrap.find()
    return "" if exe else why


BWRAP_PROBLEM = _bwrap_problem()
needs_bwrap = pytest.mark.skipif(bool(BWRAP_PROBLEM), reason=f"bwrap cannot run here: {BWRAP_PROBLEM}")


def hostile(*attacks: str) -> str:
    return shlex.join([str(HOSTILE), *attacks])


def hostile_env(loop: Loop, sleep: str, other: Path | None = None) -> dict[str, str]:
    """The targets a hostile hand is told of: a real serve token, a listening 'D-Bus' socket in a
    runtime dir under HOME (which every box shows), another worker's session dir."""
    token = Path(loop.env["XDG_STATE_HOME"]) / "looop-serve" / "k" / "token"
    token.parent.mkdir(parents=True, exist_ok=True)
    token.write_text("secret\n")
    runtime = loop.root / "home" / "run"
    if not (runtime / "bus").exists():
        runtime.mkdir(parents=True, exist_ok=True)
        bus = socket.socket(socket.AF_UNIX)
        where = os.open(runtime, os.O_RDONLY)
        try:
            bus.bind(f"/proc/self/fd/{where}/bus")  # short, however deep the test's dir
        finally:
            os.close(where)
        bus.listen(8)
        _LISTENING.append(bus)  # listens until the test process ends
    return {"HOSTILE_SLEEP": sleep, "HOSTILE_BASELINE": str(loop.approved),
            "HOSTILE_OTHER": str(other or loop.root / "nobody"), "HOSTILE_SERVE_TOKEN": str(token),
            "XDG_RUNTIME_DIR": str(runtime)}


_LISTENING: list[socket.socket] = []


def running(needle: str) -> list[int]:
    """Live processes whose command line contains `needle` (a zombie is not alive)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if needle in cmd and state not in ("Z", "X") and int(proc.name) != os.getpid():
            found.append(int(proc.name))
    return found


def unique_sleep() -> str:
    """A `sleep` argument no other process uses: the daemon's fingerprint."""
    return f"4242.{os.getpid()}{os.urandom(2).hex().translate(str.maketrans('abcdef', '123456'))}"


def results(text: str) -> dict[str, str]:
    """`held: x` / `ESCAPED: x` lines → {attack: held|ESCAPED}."""
    out = {}
    for line in text.splitlines():
        for word in ("held", "ESCAPED", "moved", "failed"):
            mark = f"{word}: "
            if mark in line:
                out[line.split(mark, 1)[1].strip()] = word
    return out
