"""Outside text: what a runner, sensor, worker, file or argument says, made safe.

The terminal is the user's and the prompt's sections are looop's: nothing from
outside may set the window title, write the clipboard, clear the screen,
overwrite a line, forge a section header, or crash a print with a byte that is
not UTF-8. One renderer per destination, and nothing else prints outside text:
- a field or name: `Outside` (an f-string renders it) or `terminal()`, one line,
  controls, escapes, bidi controls and undecodable bytes spelled out;
- a child's output: `plain`/`one_line` (escapes stripped), `Stream` as it comes,
  `gutter` keeping only colour;
- a prompt body: `neutralise` (prompt.py's section renderer applies it);
- JSON for stdout: `json_text` (no lone surrogate, no raw C1); a record read
  from a file: `json_safe`;
- a line looop composed: `say`/`shown`; argv: `argument` (cli.main applies it).
To add a verb: print fields through these (or make them `Outside` where they
are read) and add the verb to tests/test_hostile_walk.py.
"""

from __future__ import annotations

import os
import re
from typing import Any

# ESC-introduced sequences: CSI, strings (OSC, DCS, SOS, PM, APC) up to their
# terminator or the end, and the short two-byte forms. Then the 8-bit forms.
_SEQUENCE = re.compile(
    r"\x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    r"|\x1b[\]PX^_].*?(?:\x07|\x1b\\|\x9c|$)"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"
    r"|\x9b[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    r"|[\x90\x98\x9d\x9e\x9f].*?(?:\x07|\x1b\\|\x9c|$)",
    re.DOTALL,
)
_SGR = re.compile(r"\x1b\[[0-9;:]*m")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 but tab and newline, DEL, C1
_HIDDEN = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")  # bidi, lone surrogates


def plain(text: str) -> str:
    """No escape sequences, no control characters but tab and newline."""
    text = _CONTROL.sub("", _SEQUENCE.sub("", text.replace("\r\n", "\n")))
    return _HIDDEN.sub(_visible, text) if _HIDDEN.search(text) else text


def one_line(text: str) -> str:
    """`plain`, on one line: line breaks shown as `\\n` (a name or note can forge no line)."""
    return plain(text).replace("\n", "\\n").replace("\t", " ").replace("\u2028", "\\n").replace("\u2029", "\\n")


def gutter(text: str, colour: bool) -> str:
    """A runner's line for the gutter: its colours kept when colour is on, nothing else."""
    if not colour:
        return one_line(text)
    parts = _SGR.split(text)
    colours = _SGR.findall(text)
    out = [one_line(parts[0])]
    for colour_code, part in zip(colours, parts[1:]):
        out += [colour_code, one_line(part)]
    return "".join(out) + ("\x1b[0m" if colours else "")


# -- outside text as a type ------------------------------------------------------

# What must never reach a terminal or a prompt as itself: C0 and C1 controls,
# DEL, line and paragraph separators, bidi controls (they reorder what a line
# shows) and lone surrogates (a name's bytes that are not UTF-8, or a JSON
# "\ud800"; printing one raises UnicodeEncodeError).
_UNSHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SHOWN = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\x1b": "\\e"}
_SURROGATE = re.compile("[\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _SHOWN:
        return _SHOWN[ch]
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: object) -> str:
    """One line a terminal shows as written: every control, escape, bidi control and
    undecodable byte spelled out visibly (`\\e]0;t\\x07`, `\\u202e`, `\\xff`, `\\n`).
    For names and fields; a stream (runner, shell) goes through `plain`/`one_line`."""
    text = str.__str__(text) if isinstance(text, str) else str(text)
    return _UNSHOWN.sub(_visible, text) if _UNSHOWN.search(text) else text


def text(value: str) -> str:
    """`value` with lone surrogates as U+FFFD: printable, encodable, JSON-clean."""
    return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value


def json_safe(value: Any, depth: int = 0) -> Any:
    """A JSON value whose strings (keys too) hold no lone surrogate: `json.dumps(...,
    ensure_ascii=False).encode()` never raises, and a strict reader accepts it."""
    if isinstance(value, str):
        return text(value)
    if depth > 64:
        return None
    if isinstance(value, dict):
        return {text(str(k)): json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v, depth + 1) for v in value]
    return value


class Outside(str):
    """Text from outside looop's own code: a file name, a file's text, a JSON field,
    a reading, a runner's or worker's output, an argument.

    It is a `str` (paths, comparisons and JSON take it as one), but formatting it
    renders it: `f"{name}"` and `"{}".format(name)` give `terminal(name)`, so an
    f-string cannot put a raw escape or a newline on a terminal or into a prompt
    line. `str(name)` is the raw value, for file system calls only."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        return format(terminal(self), spec)

    @classmethod
    def name(cls, raw: str | bytes) -> Outside:
        """A file name as the OS gave it (bytes that are not UTF-8 kept as surrogateescape)."""
        return cls(os.fsdecode(raw) if isinstance(raw, bytes) else raw)


def encode(value: str) -> bytes:
    """UTF-8 bytes of any str, a name's undecodable bytes included: for hashing and markers."""
    try:
        return value.encode()
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")


# -- the prompt ------------------------------------------------------------------

# Before a line's first visible character: spaces of any kind, zero-width
# characters, controls and escape sequences. A line whose first visible
# characters are `===` or `---` could pass for a section header or a marker.
_INVISIBLE = re.compile(
    r"(?:\x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"
    r"|[\s\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\u3000\ufeff\x00-\x1f\x7f-\x9f])*")
_FORGEABLE = ("===", "---")
_LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def neutralise(body: str) -> str:
    """A prompt body in which no line can pass for a section header or marker: a
    line whose first visible characters are `===` or `---` loses what came before
    them and is indented by one space (` === RULES ===` is text, never a header)."""
    if "===" not in body and "---" not in body:
        return body
    out = []
    for ln in body.splitlines(keepends=True):
        lead = _INVISIBLE.match(ln)
        rest = ln[lead.end():] if lead else ln
        out.append(" " + rest if rest.startswith(_FORGEABLE) else ln)
    return "".join(out)


# -- the terminal ----------------------------------------------------------------

def say(line: str = "", *, err: bool = False) -> None:
    """Print one human-facing line that looop composed, its outside parts already
    rendered (`Outside` in an f-string, `terminal`, `one_line`); whatever slipped
    through is still made harmless: controls but tab and newline are spelled out,
    lone surrogates cannot raise."""
    import sys

    print(shown(line), file=sys.stderr if err else sys.stdout, flush=err)


def shown(line: str) -> str:
    """`line` as `say` prints it: looop's colour kept, tab and newline kept, every
    other control, bidi control and lone surrogate spelled out."""
    return _UNSAFE_LINE.sub(_kept_colour, line) if _UNSAFE_LINE.search(line) else line


# looop's own colour (SGR) passes; every other control is spelled out.
_UNSAFE_LINE = re.compile("\x1b\\[[0-9;]*m|[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _kept_colour(match: re.Match[str]) -> str:
    return match.group() if len(match.group()) > 1 else _visible(match)


def argument(arg: str) -> str:
    """A command-line argument as text: bytes that are not UTF-8 become U+FFFD, so
    an answer, a note or a command can be written to JSON and journaled."""
    return text(arg)


def guard_streams() -> None:
    """stdout and stderr never raise on a lone surrogate (shown as `\\udcff`): the
    last line of defence, set once when a verb starts."""
    import sys

    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_text(value: Any, **kw: Any) -> str:
    """`value` as JSON for stdout: lone surrogates as U+FFFD, and C1 controls, DEL,
    bidi controls and line separators as `\\uXXXX` escapes (JSON's own escaping
    covers only C0), so a terminal showing it is never driven by it."""
    import json

    out = json.dumps(value, ensure_ascii=False, **kw)
    if _SURROGATE.search(out):  # rare: only then walk the value
        out = json.dumps(json_safe(value), ensure_ascii=False, **kw)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", out) if _JSON_UNSAFE.search(out) else out


class Stream:
    """A child's output on its way to the terminal, chunk by chunk, through `plain`:
    undecodable bytes become U+FFFD and an escape sequence split across chunks is
    held until its end arrives (or the stream ends), so no part of it gets through."""

    HOLD = 4096  # a longer unfinished sequence is let through (and stripped) as it is

    def __init__(self) -> None:
        import codecs

        self._decode = codecs.getincrementaldecoder("utf-8")("replace").decode
        self._held = ""

    def feed(self, chunk: bytes, final: bool = False) -> str:
        data = self._held + self._decode(chunk, final)
        self._held = ""
        cut = max(data.rfind("\x1b"), data.rfind("\x9b"), data.rfind("\x9d"), data.rfind("\r"))
        if not final and cut >= 0 and len(data) - cut < self.HOLD and "\n" not in data[cut:]:
            self._held, data = data[cut:], data[:cut]
        return plain(data)
