"""attention.md: the notes the AI (`flag_human`) leaves for the human, each with an id.

A note is one line, `- [a3] 2026-12-03 09:15 text`; a line written by hand
without an id gets one from its text, so it can be cleared the same way.
Clearing a note (`looop attention done ID`, or the web inbox) rewrites the
file whole (never half written), journals it and commits the data dir.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from looop.core.errors import ExitStatus, FatalError
from looop.core.fsio import read_text
from looop.core.paths import Paths

MAX_BYTES = 1 << 20  # attention.md is a short list; a huge one is read only this far
_ID = re.compile(r"^- \[(a\d{1,9})\] ")


@dataclass(frozen=True)
class Note:
    id: str
    text: str  # the line without its `- [id] ` lead
    line: str  # the line as it is in the file


def _parse(line: str) -> Note | None:
    stripped = line.strip()
    if not stripped:
        return None
    m = _ID.match(stripped)
    if m:
        return Note(m.group(1), stripped[m.end():], line)
    digest = hashlib.sha256(stripped.encode("utf-8", "surrogateescape")).hexdigest()[:6]
    return Note(f"h{digest}", stripped.removeprefix("- "), line)


def notes(paths: Paths) -> list[Note]:
    """The notes, in the file's order (never blocking on a FIFO, never reading a huge file whole)."""
    text = read_text(paths.attention, "", limit=MAX_BYTES)
    return [n for n in map(_parse, text.splitlines()) if n is not None]


def add(paths: Paths, text: str) -> Note:
    """Append a note with the next free id."""
    from looop.core.fsio import append_line
    from looop.records.journal import now_stamp

    used = [int(n.id[1:]) for n in notes(paths) if n.id.startswith("a")]
    nid = f"a{max(used, default=0) + 1}"
    line = f"- [{nid}] {now_stamp()[0]} {text}"
    append_line(paths.attention, line)
    return Note(nid, line[len(f"- [{nid}] "):], line)


def done(paths: Paths, nid: str, by: str = "human") -> tuple[Note, str]:
    """Clear note `nid`: (the note, the journal line). Unknown id: one line naming the known ones."""
    from looop.core.fsio import atomic_write
    from looop.core.untrusted import one_line
    from looop.records.journal import write as journal

    text = read_text(paths.attention, "", limit=MAX_BYTES)
    lines = text.splitlines(keepends=True)
    found = next(((i, n) for i, n in enumerate(map(_parse, lines)) if n is not None and n.id == nid), None)
    if found is None:
        known = ", ".join(n.id for n in notes(paths)) or "none"
        raise FatalError(f"attention: no note '{one_line(nid)}' (notes: {known}; see `looop attention`)", ExitStatus.FAILED)
    index, note = found
    atomic_write(paths.attention, "".join(lines[:index] + lines[index + 1:]))
    short = " ".join(note.text.split())
    entry = journal(paths.journal, f"attention done {nid} ({by}): {short[:100] + '…' if len(short) > 100 else short}")
    from looop.records import events, memory

    events.emit(paths.events, "attention_done", note=nid)
    memory.commit(paths.data, entry.lstrip("- ").strip())
    return note, entry
