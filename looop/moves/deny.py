"""The run_shell deny-list: a tripwire for the obviously destructive, not a sandbox.

A command is parsed with a real shell parser (bashlex, imported lazily) so
quoting, `$(…)`, `env`/`nohup`/`xargs`/`sudo` prefixes, `bash -c '…'` and
`;`/`&&`/`|` chains are seen through; when the parser gives up, a word matcher
looks at every command-like segment instead. Protects "nothing irreversible".
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

# Wrappers that run their arguments as a command: (name, options that take a value).
_PREFIXES: dict[str, set[str]] = {
    "env": {"-u", "--unset", "-C", "--chdir", "-S", "--split-string"},
    "nohup": set(), "nice": {"-n", "--adjustment"}, "ionice": {"-c", "-n", "-t"},
    "time": {"-f", "--format", "-o", "--output"}, "command": set(), "builtin": set(), "exec": {"-a"},
    "xargs": {"-a", "-d", "-E", "-e", "-I", "-i", "-L", "-l", "-n", "-P", "-s", "--arg-file", "--delimiter",
              "--max-args", "--max-procs", "--max-chars", "--replace"},
    "timeout": {"-s", "--signal", "-k", "--kill-after"}, "setsid": set(), "stdbuf": {"-i", "-o", "-e"},
    "chroot": set(), "unbuffer": set(), "flock": {"-w", "-E"}, "caffeinate": set(), "watch": {"-n", "-d"},
    "strace": {"-e", "-o", "-p"}, "ltrace": set(), "chrt": set(), "taskset": set(), "runuser": {"-u", "-g"},
}
_POSITIONAL_FIRST = {"timeout": 1, "chroot": 1, "flock": 1, "chrt": 1, "taskset": 1}  # a leading operand
_SHELLS = {"sh", "bash", "zsh", "dash", "ksh", "mksh", "fish", "ash", "busybox"}
_ELEVATE = {"sudo", "doas", "pkexec", "su"}
_POWER = {"shutdown", "reboot", "halt", "poweroff"}
_DOWNLOAD = {"curl", "wget", "fetch", "aria2c"}
_PROTECTED_BRANCHES = {"main", "master"}
_SAFE_DEV = re.compile(r"^/dev/(null|zero|full|random|urandom|tty|stdin|stdout|stderr|fd/\d+|pts/\d+|shm/.*)$")


def allowed_dangerous(config: Any = None) -> bool:
    """LOOOP_SHELL_ALLOW_DANGEROUS=1 (or config shell_allow_dangerous: 1) turns the tripwire off."""
    from looop import knobs

    return knobs.whole("shell_allow_dangerous", config) > 0


def check(cmd: str) -> str | None:
    """Why `cmd` is refused, or None when the tripwire lets it through."""
    cmd = cmd.replace("\\\n", "")  # line continuations join words, as the shell's reader does
    crude = _verdict(_matched(cmd))
    if crude is None:
        return None  # the word matcher refuses a superset: nothing for the (slow) parser to find
    try:
        return parsed(cmd)  # the parser lets through look-alikes the matcher cannot tell apart
    except Exception:  # noqa: BLE001  bashlex raises assorted errors on syntax it does not know
        return crude


def parsed(cmd: str) -> str | None:
    """The verdict of the shell parser alone (raises when bashlex cannot parse `cmd`)."""
    return _verdict(_parsed(cmd.replace("\\\n", "")))


def matched(cmd: str) -> str | None:
    """The verdict of the word matcher alone."""
    return _verdict(_matched(cmd.replace("\\\n", "")))


def _verdict(commands: Iterator[Found]) -> str | None:
    for argv, redirects, piped_into in commands:
        why = _refuse(argv, redirects, piped_into)
        if why:
            return why
    return None


# --- the rules, on one simple command ---------------------------------------------------------

def _refuse(argv: list[str], redirects: list[str], piped_from: list[list[str]]) -> str | None:
    for target in redirects:
        if target.startswith("/dev/") and not _SAFE_DEV.match(target):
            return f"redirection onto a raw device ({target})"
    argv = _unwrap(argv)
    if not argv:
        return None
    name = os.path.basename(argv[0])
    args = argv[1:]
    if name in _ELEVATE:
        return f"{name} in command position (no privilege escalation)"
    if name in _POWER or (name == "systemctl" and set(args) & {"poweroff", "reboot", "halt", "kexec"}) or (
            name in ("init", "telinit") and args[:1] in (["0"], ["6"])):
        return f"{name} {' '.join(args[:1])}".strip() + " (powers the machine off or restarts it)"
    if name.startswith("mkfs") or name in ("mke2fs", "wipefs", "mkswap"):
        return f"{name} (formats a filesystem)"
    if name == "dd":
        for arg in args:
            if arg.startswith("of=/dev/") and not _SAFE_DEV.match(arg[3:]):
                return f"dd onto a raw device ({arg})"
    if name == "rm":
        return _rm(args)
    if name == "git" and "push" in args:
        return _push(args[args.index("push") + 1:])
    feeders = [os.path.basename(u[0]) for u in map(_unwrap, piped_from) if u]
    downloads = [f for f in feeders if f in _DOWNLOAD]
    if name in _SHELLS and downloads:
        return f"a download piped into a shell ({downloads[0]} … | {name})"
    if name in _SHELLS or name == "eval":
        inner = _inline_script(name, args)
        if inner is not None:
            return check(inner)
    return None


def _unwrap(argv: list[str]) -> list[str]:
    """Drop assignments and wrapper commands (`env X=1 nohup xargs -n1 cmd …` → `cmd …`)."""
    i = 0
    while i < len(argv):
        word = argv[i]
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", word):
            i += 1
            continue
        name = os.path.basename(word)
        if name not in _PREFIXES:
            break
        takes_value = _PREFIXES[name]
        i += 1
        operands = _POSITIONAL_FIRST.get(name, 0)
        while i < len(argv):
            w = argv[i]
            if w == "--":
                i += 1
                break
            if w.startswith("-") and len(w) > 1:
                i += 2 if w in takes_value else 1
            elif re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", w) and name == "env":
                i += 1
            elif operands:
                operands -= 1
                i += 1
            else:
                break
    return argv[i:]


def _inline_script(name: str, args: list[str]) -> str | None:
    """The script of `bash -c '<script>'` (or `eval …`)."""
    if name == "eval":
        return " ".join(args)
    for n, arg in enumerate(args):
        if arg.startswith("-") and not arg.startswith("--") and "c" in arg[1:]:
            rest = [a for a in args[n + 1:] if not a.startswith("-")]
            return rest[0] if rest else None
    if name == "busybox" and args and args[0] in _SHELLS:
        return _inline_script(args[0], args[1:])
    return None


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
    for suffix in ("/*", "/.", "/.*"):
        while t.endswith(suffix) and t != suffix.lstrip("/"):
            t = t[: -len(suffix)] or "/"
    return t in ("/", "/*", "/HOME", "*") and target.strip() != "*"


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


# --- seeing through the shell: bashlex ------------------------------------------------------

Found = tuple[list[str], list[str], list[list[str]]]  # argv, redirect targets, commands piped into it


def _parsed(cmd: str) -> Iterator[Found]:
    import bashlex  # type: ignore[import-untyped]

    for tree in bashlex.parse(cmd):
        yield from _walk(tree, [], cmd)


def _word(node: Any, src: str) -> str:
    """A word with its quotes removed (bashlex's own removal misses `'a'"'"'b'` spellings)."""
    import shlex

    try:
        tokens = shlex.split(re.sub(r"\$(?=['\"])", "", src[node.pos[0]:node.pos[1]]))  # $'…' quoting
    except (ValueError, TypeError, AttributeError):
        return node.word
    return tokens[0] if len(tokens) == 1 else node.word


def _walk(node: Any, upstream: list[list[str]], src: str) -> Iterator[Found]:
    kind = getattr(node, "kind", "")
    if kind == "pipeline":
        seen: list[list[str]] = list(upstream)
        for part in node.parts:
            if getattr(part, "kind", "") == "pipe":
                continue
            found = list(_walk(part, seen, src))
            yield from found
            seen = seen + [f[0] for f in found if f[0]]
        return
    if kind == "command":
        argv: list[str] = []
        redirects: list[str] = []
        inner: list[Found] = []
        for part in node.parts:
            pk = getattr(part, "kind", "")
            if pk == "word":
                argv.append(_word(part, src))
            elif pk == "redirect" and hasattr(part.output, "word") and str(part.type).startswith(">"):
                redirects.append(_word(part.output, src))
            inner.extend(_nested(part, src))
        yield from inner
        # `bash <(curl …)` and `sh -c "$(curl …)"` feed a download to a shell like a pipe does
        yield argv, redirects, upstream + [f[0] for f in inner if f[0]]
        return
    if kind == "redirect":
        if hasattr(node.output, "word") and str(node.type).startswith(">"):
            yield [], [_word(node.output, src)], upstream
        yield from _nested(node, src)
        return
    for child in _children(node):
        yield from _walk(child, upstream if kind in ("compound",) else [], src)


def _nested(node: Any, src: str) -> Iterator[Found]:
    """Commands inside a word: `$(…)`, backquotes, `<(…)`."""
    for child in _children(node):
        ck = getattr(child, "kind", "")
        if ck in ("commandsubstitution", "processsubstitution"):
            yield from _walk(child.command, [], src)
        else:
            yield from _nested(child, src)


def _children(node: Any) -> list[Any]:
    out: list[Any] = []
    for attr in ("parts", "list"):
        value = getattr(node, attr, None)
        if isinstance(value, list):
            out.extend(value)
    for attr in ("command", "output", "body"):
        value = getattr(node, attr, None)
        if value is not None and hasattr(value, "kind"):
            out.append(value)
    return out


# --- the fallback: a word matcher --------------------------------------------------------------

_TRIGGER = re.compile(r"\b(?:sudo|doas|pkexec|su|rm|push|mkfs\S*|mke2fs|wipefs|mkswap|dd|shutdown|reboot|halt|"
                      r"poweroff|systemctl|init|telinit|eval|sh|bash|zsh|dash|ksh|mksh|fish|ash|busybox)\b|/dev/")
_RESERVED = {"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "case", "esac", "in"}
_SPLIT = re.compile(r"\|\||&&|[;&|\n(){}`]|\$\(|<\(|>\(")


def _matched(cmd: str) -> Iterator[Found]:
    """Each command-like segment, with quotes and backslashes dropped (errs on refusing).

    Splitting also inside quotes and heredocs makes more segments than the
    shell would, so this refuses a superset of what the parser refuses."""
    text = re.sub(r"\$(?=['\"])", "", cmd)  # $'…' and $"…" quoting
    text = re.sub(r"[\"'\\]", "", text)
    text = re.sub(r"\$\{(\w+)\}", r"$\1", text)  # ${HOME} is a word, not a group
    if not _TRIGGER.search(text):
        return  # no word any rule looks at: the common case, decided in one regex scan
    downloads = [[w] for w in re.findall(r"\S*\b(?:curl|wget|fetch|aria2c)\b\S*", text)
                 if os.path.basename(w) in _DOWNLOAD]
    for segment in _SPLIT.split(text):
        if not _TRIGGER.search(segment):
            continue
        words = segment.split()
        redirects = re.findall(r">>?\|?\s*(/dev/[^\s;|&)]+)", segment)
        argv = [w for w in words if not re.match(r"^\d*[<>]", w)]
        while argv and argv[0] in _RESERVED:
            argv = argv[1:]
        if not argv and not redirects:
            continue
        yield argv, redirects, downloads  # any download anywhere may feed any shell: crude on purpose
        inner = _unwrap(argv)
        while inner and os.path.basename(inner[0]) in _SHELLS | {"eval"}:  # `bash -c bash -c …`
            rest, script = inner[1:], []
            for n, arg in enumerate(rest):
                if inner[0] == "eval" or (arg.startswith("-") and "c" in arg[1:] and not arg.startswith("--")):
                    script = rest if inner[0] == "eval" else rest[n + 1:]
                    break
            if script:
                yield script, [], downloads
            inner = _unwrap(script)
