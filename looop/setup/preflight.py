"""Before a verb needs the runner: is every tool it names installed?

Lists every missing tool at once, each with an install hint, instead of a
beat failing halfway with "command not found".
"""

from __future__ import annotations

import os
import re
import shlex
import shutil

from looop.agents.presets import INSTALL_HINTS
from looop.core import cmd
from looop.core.errors import ExitStatus, FatalError
from looop.core.paths import Paths
from looop.setup.config import Config

_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
# words that start a command without being a program to look for
_KEYWORDS = {"if", "then", "else", "elif", "fi", "do", "done", "for", "while", "until", "case", "esac", "in",
             "!", "{", "}", "time", "function", "select", "[[", "]]"}
_BUILTINS = {"cd", "true", "false", "echo", "printf", "cat", "export", "set", "unset", "read", "test", "[", ":",
             ".", "source", "eval", "trap", "wait", "shift", "exit", "return", "local", "ulimit", "umask"}
_WRAPPERS = {"exec", "env", "command", "nohup", "builtin"}  # run the next word as the command
_ARITHMETIC = re.compile(r"\$\(\((?:[^()]|\([^()]*\))*\)\)")
_REDIRECT = re.compile(r"^[0-9]*(?:[<>]+&?|&>>?)$")


def tools_in(command: str) -> list[str]:
    """The programs a shell command line starts: the command word of each
    simple command, parsed with shell quoting (a quoted argument such as
    `python3 -c 'print(input("py> "))'` is one word, never a command)."""
    command = _ARITHMETIC.sub("0", command)  # `$(( … ))` computes a number, it starts nothing
    lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|()<>\n")
    lexer.whitespace = " \t\r"
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        words = list(lexer)
    except ValueError:  # unbalanced quotes: the shell would refuse it too; check what can be read
        words = command.split()
    found: list[str] = []
    at_start, skip_target, wrapped = True, False, False
    substitutions = 0  # open `$( … )`: inside, a command starts; after it, the outer command goes on
    dollar = False
    for word in words:
        if skip_target:
            skip_target = False
            continue
        if _REDIRECT.match(word):
            skip_target = True
            continue
        if dollar and word.startswith("("):
            substitutions += 1
        elif substitutions and word.startswith(")"):
            substitutions -= 1
            at_start, wrapped, dollar = False, False, False
            continue
        dollar = word.endswith("$")
        if word and set(word) <= set(";&|()\n"):
            at_start, wrapped = True, False
            continue
        if not at_start:
            continue
        if word in _KEYWORDS or _ASSIGN.match(word):
            continue
        if word in _WRAPPERS:
            wrapped = True
            continue
        if wrapped and word.startswith("-"):
            continue
        at_start = False
        if word in _BUILTINS or "$" in word or "{{" in word:
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
        lines.append(f"  (runners are set in {cfg.path}; `looop init --force` rewrites it for an installed one)")
        raise FatalError("\n".join(lines), ExitStatus.FAILED)
    if os.geteuid() == 0 and "--dangerously-skip-permissions" in command and os.environ.get("IS_SANDBOX") != "1":
        raise FatalError(
            f"runner '{name}': claude refuses --dangerously-skip-permissions as root; "
            "set IS_SANDBOX=1 if this machine is a sandbox, or run looop as a normal user", ExitStatus.FAILED)


def needs_runner(paths: Paths) -> None:
    """What every verb that needs the agent CLI does first, before `init` too:
    no config → `looop init` writes one (asking on a terminal, else the first
    installed preset, said in one line); then the CLI must be installed."""
    from looop.setup import config

    cfg = config.load(paths.config, valid_cache=paths.valid_config)
    check_runner(cfg, cfg.default_runner)
