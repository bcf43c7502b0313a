"""The box on macOS: a Seatbelt profile for `sandbox-exec`, made from the same table.

Reads everywhere, writes only where the hand's spec says, network kept. It
cannot run on Linux: its text is what the tests check (untested on a Mac).
"""

from __future__ import annotations

import shutil

from looop.box.policy import Spec, hidden


def find() -> tuple[str, str]:
    exe = shutil.which("sandbox-exec")
    return (exe, "system") if exe else ("", "no sandbox-exec on PATH (Seatbelt is macOS only)")


def profile(spec: Spec) -> str:
    """The profile: deny by default, read and run anything, write only the spec's paths."""
    lines = ["(version 1)", "(deny default)", "(allow process-fork)", "(allow process-exec)",
             "(allow signal (target same-sandbox))", "(allow file-read*)", "(allow network*)",
             "(allow sysctl-read)", "(allow mach-lookup)", "(allow ipc-posix-shm)",
             '(allow file-write* (literal "/dev/null") (literal "/dev/tty") (regex #"^/dev/ttys[0-9]+$"))',
             '(allow file-write* (subpath (param "TMPDIR")))']
    writable = [*(str(p) for p in spec.write), *(str(p) for p, _ in spec.binds)]
    for path in writable:
        lines.append(f"(allow file-write* (subpath {_quote(path)}))")
    for gone in hidden():  # what every box hides: unreadable here (a socket's connect is not a file read)
        lines.append(f"(deny file-read* file-write* (subpath {_quote(str(gone))}))")
    return "\n".join(lines) + "\n"


def argv(exe: str, spec: Spec, command: list[str]) -> list[str]:
    import tempfile

    return [exe, "-D", f"TMPDIR={tempfile.gettempdir()}", "-p", profile(spec), *command]


def _quote(path: str) -> str:
    return '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'
