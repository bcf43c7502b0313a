"""Before a verb needs the runner: is every tool it names installed?

Lists every missing tool at once, each with an install hint, instead of a
beat failing halfway with "command not found".
"""

from __future__ import annotations

import os
import re
import shlex
import shutil

from looop import cmd
from looop.config import INSTALL_HINTS, Config
from looop.errors import FatalError

_SPLIT = re.compile(r"\|\||&&|[|;&\n]")
_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_BUILTINS = {"exec", "env", "cd", "command", "time", "nice", "nohup", "true", "false", "echo", "printf",
             "cat", "export", "if", "then", "fi", "do", "done", "for", "while", "!", "{", "}", "(", ")"}


def tools_in(command: str) -> list[str]:
    """The programs a shell pipeline starts (first word of each segment)."""
    found: list[str] = []
    for segment in _SPLIT.split(command):
        try:
            words = shlex.split(segment, posix=True)
        except ValueError:
            words = segment.split()
        while words and _ASSIGN.match(words[0]):
            words.pop(0)
        if not words:
            continue
        word = words[0]
        if word in _BUILTINS or "$" in word or word.startswith("("):
            continue
        if word not in found:
            found.append(word)
    return found


def missing(tools: list[str], path: str | None = None) -> list[str]:
    """Tools not found on PATH, nor on the login shell's PATH."""
    absent = [t for t in tools if not shutil.which(t, path=path)]
    if not absent or not shutil.which("bash"):
        return absent
    probe = 'for t in "$@"; do command -v "$t" >/dev/null 2>&1 || printf "%s\\n" "$t"; done'
    done = cmd.run(["bash", "-lc", probe, "_", *absent], timeout=20)
    if done.code in (124, 126, 127):
        return absent
    return [t for t in done.out.split() if t in absent]


def check_runner(cfg: Config, name: str, template: str = "tick") -> None:
    spec = cfg.runner(name)[1]
    command = spec.get(template, "")
    tools = list(spec.get("needs") or tools_in(command))
    if "bash" not in tools:
        tools.insert(0, "bash")
    absent = missing(tools)
    if absent:
        lines = [f"runner '{name}' needs tools that are not installed:"]
        for tool in absent:
            hint = INSTALL_HINTS.get(os.path.basename(tool), "install it, or change the runner in the config")
            lines.append(f"  - {tool}: {hint}")
        lines.append(f"  (runners are set in {cfg.path})")
        raise FatalError("\n".join(lines), 1)
    if os.geteuid() == 0 and "--dangerously-skip-permissions" in command and os.environ.get("IS_SANDBOX") != "1":
        raise FatalError(
            f"runner '{name}': claude refuses --dangerously-skip-permissions as root; "
            "set IS_SANDBOX=1 if this machine is a sandbox, or run looop as a normal user", 1)
