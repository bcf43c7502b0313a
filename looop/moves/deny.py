"""The run_shell deny-list: a tripwire for the obviously destructive, not a sandbox.

A command is parsed with a real shell parser (bashlex, imported lazily) so
quoting (`$'…'` too), brace expansion, `$(…)`, `<(…)`, wrappers (`env [-S]`,
`nohup`, `xargs`, `watch`, `flock -c`, `busybox`, `find -exec` …), `bash -c
'…'`, a literal script fed to a shell (`echo … | bash`, `bash <<< …`) and
`;`/`&&`/`|` chains are seen through; when the parser gives up, a word matcher
looks at every command-like segment instead. It gives a readable refusal
before anything runs; the OS box (looop's sandbox) is the boundary. Protects
"nothing irreversible".
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

from looop.moves import shellread, shellwords

_SOURCE = {"source", "."}
_ELEVATE = {"sudo", "doas", "pkexec", "su", "run0"}
_POWER = {"shutdown", "reboot", "halt", "poweroff"}
_POWER_VERBS = {"poweroff", "reboot", "halt", "kexec", "soft-reboot"}
_POWER_TARGETS = {"poweroff.target", "reboot.target", "halt.target", "kexec.target", "ctrl-alt-del.target",
                  "soft-reboot.target"}
_STARTS = {"start", "isolate", "restart", "try-restart", "reload-or-restart", "try-reload-or-restart", "--now"}
_PROTECTED_BRANCHES = {"main", "master"}
_SAFE_DEV = re.compile(r"^/dev/(null|zero|full|random|urandom|tty|stdin|stdout|stderr|fd/\d+|pts/\d+|shm/.*)$")
_EXEC = {"-exec", "-execdir", "-ok", "-okdir"}
_MAX_DEPTH = 12  # scripts inside scripts: deeper than this is refused, never followed
_depth = 0
_seen: dict[str, str | None] = {}


def allowed_dangerous(config: Any = None) -> bool:
    """LOOOP_SHELL_ALLOW_DANGEROUS=1 (or config shell_allow_dangerous: 1) turns the tripwire off."""
    from looop.core import knobs

    return knobs.whole("shell_allow_dangerous", config) > 0


def check(cmd: str) -> str | None:
    """Why `cmd` is refused, or None when the tripwire lets it through."""
    global _depth
    if _depth == 0:
        _seen.clear()  # scripts inside scripts are read once per command, not once per path to them
    elif cmd in _seen:
        return _seen[cmd]
    if _depth >= _MAX_DEPTH:
        return "scripts nested too deep for the tripwire to follow"
    _depth += 1
    try:
        _seen[cmd] = why = _check(cmd.replace("\\\n", ""))  # line continuations join words, as the shell's reader does
        return why
    finally:
        _depth -= 1


_PARSE_ALWAYS = 4096  # bytes: a command up to this is always parsed (a fraction of a millisecond)


def _check(cmd: str) -> str | None:
    crude = _verdict(shellread.matched(cmd))
    if crude is None and len(cmd) > _PARSE_ALWAYS:
        return None  # a long text: the word matcher alone (it misreads only quotes nested inside quotes)
    try:
        return parsed(cmd)  # the parser lets through look-alikes the matcher cannot tell apart
    except Exception:  # noqa: BLE001  bashlex raises assorted errors on syntax it does not know
        return crude


def parsed(cmd: str) -> str | None:
    """The verdict of the shell parser alone (raises when bashlex cannot parse `cmd`)."""
    return _verdict(shellread.parsed(cmd.replace("\\\n", "")))


def matched(cmd: str) -> str | None:
    """The verdict of the word matcher alone."""
    return _verdict(shellread.matched(cmd.replace("\\\n", "")))


def _verdict(commands: Iterator[shellread.Found]) -> str | None:
    for argv, redirects, piped_into in commands:
        why = _refuse(argv, redirects, piped_into)
        if why:
            return why
    return None


# --- the rules, on one simple command ---------------------------------------------------------

def _refuse(argv: list[str], redirects: list[str], piped_from: list[list[str]]) -> str | None:
    for target in redirects:
        if _raw_device(target):
            return f"redirection onto a raw device ({target})"
    argv, scripts = shellread.unwrap(shellwords.expand(argv))
    name = os.path.basename(argv[0]) if argv else ""
    args = argv[1:]
    if argv:
        why = _refuse_command(name, args)
        if why:
            return why
        scripts += _scripts_of(name, args)
        for n, arg in enumerate(args if name == "find" else []):
            if arg in _EXEC:  # find -exec CMD … ; runs CMD, with find's stdin
                run = args[n + 1:]
                why = _refuse(run[:next((i for i, a in enumerate(run) if a in (";", "+")), len(run))], [], piped_from)
                if why:
                    return f"{why}, run by find {arg}"
    feeders = [u for u in (shellread.unwrap(shellwords.expand(p))[0] for p in piped_from if not _fed(p)) if u]
    for script in scripts:  # a script's stdin is its command's: what is fed to this reaches a shell it starts
        first = _first_command(script)
        why = check(script) or (_fed_to(first, piped_from, feeders, stdin=True) if first else None)
        if why:
            return why
    if not argv:
        return None
    return _fed_to(name, piped_from, feeders,
                   stdin=_reads_stdin(args) or any(p[:1] == [shellread.LOOSE] for p in piped_from))


def _first_command(script: str) -> str:
    """The command a script's stdin reaches first, through wrappers that run a script in turn
    (`flock L -c 'flock L -c bash'` reaches bash)."""
    words = shellwords.expand(script.split())
    for _ in range(_MAX_DEPTH):
        argv, inner = shellread.unwrap(words)
        if argv or not inner:
            return argv[0] if argv else ""
        words = shellwords.expand(inner[0].split())
    return ""


def _scripts_of(name: str, args: list[str]) -> list[str]:
    """The scripts a command runs itself: `bash -c S`, `eval S`, `trap S EXIT`, `script -c S`, `sg -c S`."""
    if name in shellread.SHELLS or name == "eval":
        inner = _inline_script(name, args)
        return [] if inner is None else [inner]
    if name == "trap" and args and args[0] not in ("-l", "-p"):  # trap SCRIPT SIGNAL…
        words = [a for a in args if a != "--"]
        return [words[0] if words and any(c.isspace() for c in words[0]) else " ".join(words)]
    if name in shellread.SCRIPT_OPTIONS and name not in shellread.PREFIXES:  # options in any order
        return [s for n, a in enumerate(args) if (s := shellread.script_at(name, a, args[n + 1:]))][:1]
    return []


def _fed_to(name: str, piped_from: list[list[str]], feeders: list[list[str]], stdin: bool) -> str | None:
    """Why what is fed to `name` is refused, when `name` is a shell: a download, or a literal script."""
    name = os.path.basename(name)
    downloads = [os.path.basename(f[0]) for f in feeders if os.path.basename(f[0]) in shellread.DOWNLOAD]
    if name in shellread.SHELLS | _SOURCE and downloads:
        return f"a download piped into a shell ({downloads[0]} … | {name})"
    if name not in shellread.SHELLS or not stdin:
        return None
    for text in _literals(piped_from, feeders):
        why = check(text)
        if why:
            return f"{why}, in a script fed to {name}"
    return None


def _refuse_command(name: str, args: list[str]) -> str | None:
    if name in _ELEVATE:
        return f"{name} in command position (no privilege escalation)"
    if name in _POWER or (name in ("systemctl", "loginctl") and (set(args) & _POWER_VERBS or (
            set(args) & _POWER_TARGETS and set(args) & _STARTS))) or (
            name in ("init", "telinit") and args[:1] in (["0"], ["6"])):
        shown = next((a for a in args if a in _POWER_VERBS | _POWER_TARGETS), args[0] if args else "")
        return f"{name} {shown}".strip() + " (powers the machine off or restarts it)"
    if name.startswith("mkfs") or name in ("mke2fs", "wipefs", "mkswap"):
        return f"{name} (formats a filesystem)"
    if name == "dd":
        for arg in args:
            if arg.startswith("of=") and _raw_device(arg[3:]):
                return f"dd onto a raw device ({arg})"
    if name in ("tee", "shred", "blkdiscard"):
        for arg in args:
            if _raw_device(arg):
                return f"{name} onto a raw device ({arg})"
    if name == "rm":
        return _rm(args)
    if name == "git" and "push" in args:
        return _push(args[args.index("push") + 1:])
    if name in ("looop", "$LOOOP_BIN", "${LOOOP_BIN}"):
        return _human_only(args)
    return None


def _human_only(args: list[str]) -> str | None:
    """`"$LOOOP_BIN" answer …` from a looop child: refused here, readably, before it runs."""
    from looop.core import caller
    from looop.core.errors import FatalError

    words = [a for a in args if not a.startswith("-")]
    try:
        caller.check(words[0] if words else "", words[1:], {a.split("=")[0]: True for a in args if a.startswith("--")},
                     env={caller.CHILD: "1"})
    except FatalError as exc:
        return str(exc).split(" (")[0]
    return None


def _reads_stdin(args: list[str]) -> bool:
    """A shell with no -c and no script file runs what comes on its stdin (-n: reads, runs nothing)."""
    flags = [a for a in args if a.startswith("-") and not a.startswith("--") and len(a) > 1]
    if any("c" in f[1:] or "n" in f[1:] for f in flags):
        return False
    operands = [a for a in args if not a.startswith(("-", "+"))]
    return not operands or any("s" in f[1:] for f in flags) or operands[0] == "-"


def _fed(p: list[str]) -> bool:
    return p[:1] in ([shellread.LITERAL], [shellread.LOOSE])


def _literals(piped_from: list[list[str]], feeders: list[list[str]]) -> Iterator[str]:
    for p in piped_from:
        if _fed(p):
            yield p[1]
    for f in feeders:
        if os.path.basename(f[0]) in ("echo", "printf"):  # with or without its escapes (echo -e, dash)
            yield " ".join(f[1:])
            yield shellwords.unescape(" ".join(f[1:]))


def _inline_script(name: str, args: list[str]) -> str | None:
    """The script of `bash -c '<script>' [args…]` (or `eval …`), with its arguments: read them all."""
    if name == "eval":
        return " ".join(args)
    for n, arg in enumerate(args):
        if arg.startswith("-") and not arg.startswith("--") and "c" in arg[1:]:
            rest = args[n + 1:]
            rest = rest[1:] if rest[:1] == ["--"] else rest
            return " ".join(rest) if rest else None
    return None


def _raw_device(path: str) -> bool:
    """`/dev/sda`, however spelled (`//dev/sda`, `/./dev/sda`, `/dev/../dev/sda`); not /dev/null and kin."""
    if not path.startswith("/"):
        return False
    normal = os.path.normpath(re.sub(r"/+", "/", path))
    return normal.startswith("/dev/") and not _SAFE_DEV.match(normal)


def _rm(args: list[str]) -> str | None:
    recursive = force = False
    targets = []
    for arg in args:
        if arg in ("--recursive",):
            recursive = True
        elif arg == "--force":
            force = True
        elif arg == "--no-preserve-root":
            return "rm --no-preserve-root"
        elif arg.startswith("-") and not arg.startswith("--") and len(arg) > 1:
            recursive |= "r" in arg or "R" in arg
            force |= "f" in arg
        else:
            targets.append(arg)
    if not recursive:
        return None
    for target in targets:
        if _is_home_or_root(target):
            return f"recursive rm of {target}" + ("" if force else " (even without -f)")
    return None


def _is_home_or_root(target: str) -> bool:
    t = re.sub(r"/+", "/", target.strip())
    for home in ("${HOME}", "$HOME", "~"):
        if t == home or t.startswith(home + "/"):
            t = "/HOME" + t[len(home):]
            break
    t = t.rstrip("/") or "/"
    while True:  # a last part that is only a glob (`*`, `.*`, `?*`, `[a-z]*`, `.[!.]*`) is everything in it
        head, _, last = t.rpartition("/")
        if not head and not t.startswith("/") or not re.fullmatch(r"\.?[?*]+", re.sub(r"\[[^]]*\]", "?", last)):
            break
        t = head or "/"
    while t.endswith("/.") and t != "/.":
        t = t[:-2] or "/"
    return t in ("/", "/HOME", "/.")


def _push(args: list[str]) -> str | None:
    forced = any(a in ("-f", "--force", "--force-with-lease", "--force-if-includes") or a.startswith("--force-with-lease=")
                 or (a.startswith("-") and not a.startswith("--") and "f" in a[1:]) for a in args)
    refspecs = [a for a in args if not a.startswith("-")][1:]  # after the remote
    for spec in refspecs:
        plus = spec.startswith("+")
        dest = spec.lstrip("+").rsplit(":", 1)[-1]
        dest = dest.removeprefix("refs/heads/")
        if dest in _PROTECTED_BRANCHES and (forced or plus):
            return f"a forced git push onto {dest}"
    if forced and "--mirror" in args:
        return "a forced git push --mirror"
    return None


