"""How bash respells a word before it runs: ANSI-C quoting, echo/printf escapes, braces.

The deny-list's parser and its word matcher both read a command the way the
shell will, so `$'\\x73udo'` is `sudo` and `{sudo,id}` is `sudo id` to them too.
Part of the run_shell tripwire (looop.moves.deny).
"""

from __future__ import annotations

import re

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "e": "\x1b", "E": "\x1b"}
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|[0-7]{1,3}|c.|.)", re.S)
NUMERIC = re.compile(r"\\(?:x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|[0-7]{1,3})")  # what a matcher decodes
_ANSI_C = re.compile(r"\$'((?:[^'\\]|\\.)*)'", re.S)
_BRACE = re.compile(r"\{([^{}]*,[^{}]*)\}")
MAX_WORDS = 64  # of one word's brace expansion: enough to see the command, never a blow-up


def unescape(body: str) -> str:
    """The text of `$'<body>'` (and of `echo -e` / `printf` escapes): `\\x73udo` → `sudo`."""
    def one(m: re.Match[str]) -> str:
        s = m.group(1)
        if s[0] in "xuU":
            return chr(min(int(s[1:], 16), 0x10FFFF))
        if s[0].isdigit():
            return chr(int(s, 8) & 0xFF)
        if s[0] == "c" and len(s) == 2:
            return chr(ord(s[1].upper()) & 0x1F)
        return _ESCAPES.get(s, s)

    return _ESCAPE.sub(one, body)


def ansi_c(text: str, requote: bool) -> str:
    """`$'…'` outside other quotes replaced by its text (single-quoted again when `requote`), and
    `$"…"` by `"…"`; inside quotes a `$` is only a dollar sign."""
    import shlex

    out: list[str] = []
    quote = ""
    i = 0
    while i < len(text):
        c = text[i]
        if quote == "'":
            quote = "" if c == "'" else quote
        elif c == "\\":
            out.append(text[i:i + 2])
            i += 2
            continue
        elif quote == '"':
            quote = "" if c == '"' else quote
        elif c == "$" and text[i + 1:i + 2] == "'" and (m := _ANSI_C.match(text, i)):
            body = unescape(m.group(1))
            out.append(shlex.quote(body) if requote else body)
            i = m.end()
            continue
        elif c == "$" and text[i + 1:i + 2] == '"':
            i += 1
            continue
        elif c in "'\"":
            quote = c
        out.append(c)
        i += 1
    return "".join(out)


def braces(word: str) -> list[str]:
    """The words bash makes of `word` by brace expansion (`{sudo,id}` → `sudo`, `id`)."""
    out = [word]
    for _ in range(8):  # nesting depth
        grown: list[str] = []
        for w in out:
            m = _BRACE.search(w)
            if m is None:
                grown.append(w)
            else:
                grown.extend(w[:m.start()] + alt + w[m.end():] for alt in m.group(1).split(","))
        if grown == out:
            break
        out = grown[:MAX_WORDS]
    return out


def expand(argv: list[str]) -> list[str]:
    """Each word brace-expanded; a word that expands to nothing is dropped, as bash drops it."""
    if not any(_expands(w) for w in argv):
        return argv
    return [alt for w in argv for alt in (braces(w) if _expands(w) else [w]) if alt or not _expands(w)]


def _expands(word: str) -> bool:
    """A word bash may brace-expand: one with a brace and no blank (a quoted script is left whole)."""
    return "{" in word and not any(c.isspace() for c in word)
