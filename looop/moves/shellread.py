"""How the tripwire reads a command the way the shell will: wrappers, bashlex's tree, a word matcher.

bashlex (imported lazily) gives the tree: each simple command with its
redirections, what is piped or fed into it, and the commands inside `$(…)` and
`<(…)`. When it gives up, a word matcher cuts the text into command-like
segments instead, erring on seeing too much. Part of the run_shell tripwire
(looop.moves.deny).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

from looop.moves import shellwords

# Wrappers that run their arguments as a command: (name, options that take a value).
PREFIXES: dict[str, set[str]] = {
    "env": {"-u", "--unset", "-C", "--chdir"},
    "nohup": set(), "nice": {"-n", "--adjustment"}, "ionice": {"-c", "-n", "-t"},
    "time": {"-f", "--format", "-o", "--output"}, "command": set(), "builtin": set(), "exec": {"-a"},
    # -i, -e, -l (and their long forms) take a value only when attached: `xargs -i cmd` runs cmd
    "xargs": {"-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s", "--arg-file", "--delimiter",
              "--max-args", "--max-procs", "--max-chars"},
    "timeout": {"-s", "--signal", "-k", "--kill-after"}, "setsid": set(), "stdbuf": {"-i", "-o", "-e"},
    "chroot": set(), "unbuffer": set(), "flock": {"-w", "-E", "--timeout", "--conflict-exit-code"},
    "caffeinate": set(), "watch": {"-n", "--interval", "-q", "--equexit"},
    "strace": {"-e", "-o", "-p"}, "ltrace": set(), "chrt": set(), "taskset": set(), "runuser": {"-u", "-g"},
    "coproc": set(), "busybox": set(), "toybox": set(),
}
_POSITIONAL_FIRST = {"timeout": 1, "chroot": 1, "flock": 1, "chrt": 1, "taskset": 1}  # a leading operand
# options whose value is a shell script the command runs (env -S: a command line it splits)
SCRIPT_OPTIONS: dict[str, tuple[str, ...]] = {
    "env": ("-S", "--split-string"), "flock": ("-c", "--command"), "script": ("-c", "--command"),
    "runuser": ("-c", "--command"), "su": ("-c", "--command"), "sg": ("-c",),
}
SHELLS = {"sh", "bash", "zsh", "dash", "ksh", "mksh", "fish", "ash"}
DOWNLOAD = {"curl", "wget", "fetch", "aria2c"}
LITERAL = "\0literal"  # marks text fed to a command's stdin (`echo TEXT |`, `<<< TEXT`, a heredoc)
LOOSE = "\0loose"  # the word matcher's: text that may reach any shell in the command, however it is called


def unwrap(argv: list[str]) -> tuple[list[str], list[str]]:
    """Drop assignments and wrapper commands (`env X=1 nohup xargs -n1 cmd …` → `cmd …`), and
    collect the scripts a wrapper runs itself (`env -S '…'`, `flock -c '…'`, `watch '…'`)."""
    i = 0
    while i < len(argv):
        word = argv[i]
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", word):
            i += 1
            continue
        name = os.path.basename(word)
        if name not in PREFIXES:
            break
        takes_value = PREFIXES[name]
        i += 1
        operands = _POSITIONAL_FIRST.get(name, 0)
        direct = name != "watch"  # watch runs its words with `sh -c` unless -x
        while i < len(argv):
            w = argv[i]
            script = script_at(name, w, argv[i + 1:]) if w.startswith("-") else None
            if script is not None:
                return [], [script]
            if w == "--":
                i += 1
                break
            if name == "command" and w in ("-v", "-V"):
                return [], []  # only looks the name up
            if w.startswith("-") and len(w) > 1:
                direct |= name == "watch" and (w in ("-x", "--exec") or (not w.startswith("--") and "x" in w))
                i += 2 if w in takes_value else 1
            elif re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", w) and name == "env":
                i += 1
            elif operands:
                operands -= 1
                i += 1
            else:
                break
        if not direct:
            return [], ([" ".join(argv[i:])] if argv[i:] else [])
    return argv[i:], []


def script_at(name: str, word: str, rest: list[str]) -> str | None:
    """The script `word` (`-c S`, `-qcS`, `--command=S`) gives to `name`. env -S's arguments
    follow it; after a one-word script (or the word matcher's split one) the words are read too."""
    for opt in SCRIPT_OPTIONS.get(name, ()):
        if word == opt:
            value, rest = (rest[0], rest[1:]) if rest else ("", [])
        elif opt.startswith("--") and word.startswith(opt + "="):
            value = word[len(opt) + 1:]
        elif not opt.startswith("--") and word.startswith("-") and not word.startswith("--") and opt[1] in word[1:]:
            value = word[word.index(opt[1], 1) + 1:]
            if not value:
                value, rest = (rest[0], rest[1:]) if rest else ("", [])
        else:
            continue
        whole = name != "env" and any(c.isspace() for c in value)
        return value if whole else " ".join([value, *rest])
    return None


# --- seeing through the shell: bashlex ------------------------------------------------------

Found = tuple[list[str], list[str], list[list[str]]]  # argv, redirect targets, commands piped into it


def parsed(cmd: str) -> Iterator[Found]:
    import bashlex  # type: ignore[import-untyped]

    for tree in bashlex.parse(cmd):
        yield from _walk(tree, [], cmd)


def word(node: Any, src: str) -> str:
    """A word with its quotes removed (bashlex's own removal misses `'a'"'"'b'` and `$'…'` spellings)."""
    import shlex

    try:
        tokens = shlex.split(shellwords.ansi_c(src[node.pos[0]:node.pos[1]], requote=True))
    except (ValueError, TypeError, AttributeError):
        return str(node.word)
    return tokens[0] if len(tokens) == 1 else str(node.word)


def _walk(node: Any, upstream: list[list[str]], src: str) -> Iterator[Found]:
    kind = getattr(node, "kind", "")
    if kind == "pipeline":
        seen: list[list[str]] = list(upstream)
        for part in node.parts:
            if getattr(part, "kind", "") == "pipe":
                continue
            found = list(_walk(part, seen, src))
            yield from found
            # what a command was fed (a heredoc into `cat`) it may pass on down the pipe
            seen = seen + [f[0] for f in found if f[0]] + [p for f in found for p in f[2]
                                                           if p[:1] == [LITERAL] and p not in seen]
        return
    if kind == "command":
        argv: list[str] = []
        redirects: list[str] = []
        inner: list[Found] = []
        fed: list[list[str]] = []
        for part in node.parts:
            pk = getattr(part, "kind", "")
            if pk == "word":
                argv.append(word(part, src))
            elif pk == "redirect":
                kind_of = str(part.type)
                if hasattr(part.output, "word") and kind_of.startswith(">"):
                    redirects.append(word(part.output, src))
                elif kind_of == "<<<" and hasattr(part.output, "word"):
                    fed.append([LITERAL, word(part.output, src)])
                elif kind_of.startswith("<<") and getattr(part, "heredoc", None) is not None:
                    fed.append([LITERAL, str(getattr(part.heredoc, "value", ""))])
            inner.extend(_nested(part, src))
        yield from inner
        # `bash <(curl …)` and `sh -c "$(curl …)"` feed a download to a shell like a pipe does
        yield argv, redirects, upstream + [f[0] for f in inner if f[0]] + fed
        return
    if kind == "redirect":
        if hasattr(node.output, "word") and str(node.type).startswith(">"):
            yield [], [word(node.output, src)], upstream
        yield from _nested(node, src)
        return
    for child in _children(node):
        yield from _walk(child, upstream if kind in ("compound",) else [], src)


def _nested(node: Any, src: str) -> Iterator[Found]:
    """Commands inside a word: `$(…)`, backquotes, `<(…)`."""
    if getattr(node, "kind", "") in ("commandsubstitution", "processsubstitution"):
        yield from _walk(node.command, [], src)
        return
    for child in _children(node):
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

_TRIGGER = re.compile(r"(?:sudo|doas|pkexec|su|run0|rm|push|mkfs\S*|mke2fs|wipefs|mkswap|dd|shutdown|reboot|halt|"
                      r"poweroff|systemctl|loginctl|init|telinit|eval|sh|bash|zsh|dash|ksh|mksh|fish|ash|source|"
                      r"looop|LOOOP_BIN)\b|/dev/|(?:^|[\s;&|({`])\.\s")
_RESERVED = {"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "case", "esac", "in"}
_SPLIT = re.compile(r"\|\||&&|[;&|\n(){}`]|\$\(|<\(|>\(")
_FEEDS = re.compile(r"\b(?:echo|printf)\b|<<<")


def _flat(cmd: str, escapes: bool, numeric: bool = False) -> str:
    """`cmd` with quotes and backslashes dropped and braces expanded; `numeric`: `\\x73`-style
    escapes decoded (as `$'…'` would); `escapes`: also `\\n` and `\\t` as the space they print as,
    for the text echo and printf feed on."""
    text = re.sub(r"\$(?=['\"])", "", cmd)  # $'…' and $"…" quoting
    if numeric:
        text = shellwords.NUMERIC.sub(lambda m: shellwords.unescape(m.group(0)), text)  # $'\x73udo' is sudo
    if escapes:
        text = re.sub(r"\\[nt]", " ", text)
    text = re.sub(r"[\"'\\]", "", text)
    text = re.sub(r"\$\{(\w+)\}", r"$\1", text)  # ${HOME} is a word, not a group
    return re.sub(r"[^\s;&|()<>`]*\{[^{}\s]*,[^{}\s]*\}[^\s;&|()<>`]*",
                  lambda m: " ".join(shellwords.braces(m.group(0))), text)


def matched(cmd: str) -> Iterator[Found]:
    """Each command-like segment, with quotes and backslashes dropped (errs on refusing).

    Splitting also inside quotes and heredocs makes more segments than the
    shell would, so this refuses a superset of what the parser refuses."""
    text = _flat(cmd, escapes=False)
    if "\\" in cmd:  # `\x73` is x73 outside $'…' and s inside: read it both ways
        text += "\n" + _flat(cmd, escapes=False, numeric=True)
    if not _TRIGGER.search(text):
        return  # no word any rule looks at: the common case, decided in one regex scan
    segments = _SPLIT.split(text)
    downloads = [[w] for s in segments for w in s.split() if os.path.basename(w) in DOWNLOAD]
    # any literal text anywhere may feed any shell, like any download: crude on purpose
    printed = segments + (_SPLIT.split(_flat(cmd, escapes=True, numeric=True)) if "\\" in cmd else [])
    fed = downloads + [[LOOSE, s[m.end():]] for s in printed for m in _FEEDS.finditer(s) if s[m.end():].strip()]
    for segment in segments:
        if not _TRIGGER.search(segment):
            continue
        words = segment.split()
        redirects = re.findall(r">>?\|?\s*(/[^\s;|&)]+)", segment)
        words = words[:next((n for n, w in enumerate(words) if w.startswith("<<<")), len(words))]
        argv = [w for w in words if not re.match(r"^\d*[<>]", w)]
        while argv and argv[0] in _RESERVED:
            argv = argv[1:]
        if not argv and not redirects:
            continue
        yield argv, redirects, fed
        inner = unwrap(argv)[0]
        while inner and os.path.basename(inner[0]) in SHELLS | {"eval"}:  # `bash -c bash -c …`
            rest, script = inner[1:], []
            for n, arg in enumerate(rest):
                if inner[0] == "eval" or (arg.startswith("-") and "c" in arg[1:] and not arg.startswith("--")):
                    script = rest if inner[0] == "eval" else rest[n + 1:]
                    break
            if script:
                yield script, [], fed
            inner = unwrap(script)[0]
