"""Text from outside (a runner, a sensor, a worker, a file) made safe to print.

The terminal is the user's: nothing looop prints may set the window title,
write the clipboard, clear the screen, move the cursor or overwrite a line.
Escape sequences and control characters are stripped; colour (SGR) survives
only in the runner gutter, and only when colour is on.
"""

from __future__ import annotations

import re

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


def plain(text: str) -> str:
    """No escape sequences, no control characters but tab and newline."""
    text = text.replace("\r\n", "\n")
    return _CONTROL.sub("", _SEQUENCE.sub("", text))


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


_FORGEABLE = ("===", "---")


def neutralise(body: str) -> str:
    """Indent any line that could pass for a section header or file marker."""
    lines = body.splitlines(keepends=True)
    return "".join(" " + ln if ln.lstrip(" ").startswith(_FORGEABLE) else ln for ln in lines)
