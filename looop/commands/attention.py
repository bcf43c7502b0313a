"""`looop attention [done ID]`: the AI's notes for the human, and clearing one."""

from __future__ import annotations

from looop.commands import usage
from looop.core.paths import Paths, resolve
from looop.core.untrusted import json_text


def attention(paths: Paths, action: str = "list", nid: str | None = None, as_json: bool = False) -> int:
    from looop.core.errors import ExitStatus, FatalError
    from looop.core.untrusted import one_line
    from looop.records import attention as notes

    if action == "done":
        if not nid:
            raise FatalError("attention done needs a note id (see `looop attention`)", ExitStatus.BAD_INPUT)
        note, line = notes.done(paths, nid)
        print(f"done {note.id}; journaled: {one_line(line)}")
        return 0
    found = notes.notes(paths)
    if as_json:
        print(json_text([{"id": n.id, "text": n.text} for n in found]))
        return 0
    if not found:
        print("no attention notes")
        return 0
    for n in found:
        print(f"{n.id:<8} {one_line(n.text)}")
    print("\nclear one: looop attention done ID")
    return 0


class Attention(usage.Verb):
    json = usage.flag("--json", help="print a JSON array of {id, text}")

    def main(self, action: usage.one_of("list", "done") = "list", id: str = "") -> int:  # type: ignore[valid-type]
        return attention(resolve(), action, id or None, as_json=self.json)
