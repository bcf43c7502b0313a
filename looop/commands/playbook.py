"""`looop playbook [diff|approve|reject|history|restore <n>|write]`: the human half of the PLAYBOOK gate."""

from __future__ import annotations

import difflib

from looop.commands import usage
from looop.core.color import paint
from looop.core.fsio import read_text
from looop.core.paths import Paths, resolve
from looop.core.untrusted import one_line
from looop.records import events


def playbook(paths: Paths, action: str = "diff", number: str | None = None) -> int:
    if action == "write":
        return write(paths, [number] if number else [])
    if action == "history":
        return show_history(paths, _number(number) if number else None)
    if action == "restore":
        return restore(paths, _number(number))
    if not paths.proposed.exists():
        print("no pending PLAYBOOK change")
        return 0
    if action == "approve":
        from looop.beat import review

        line = review.approve(paths)
        print(f"approved: PLAYBOOK.proposed.md is now the live PLAYBOOK.md (and the new baseline); journaled: {line}")
        return 0
    if action == "reject":
        from looop.beat import review

        line = review.reject(paths)
        print(f"rejected: the proposed PLAYBOOK change was discarded; journaled: {line}")
        return 0
    base = read_text(paths.approved) if paths.approved.exists() else read_text(paths.playbook, "")
    proposed = read_text(paths.proposed, "") or ""
    diff = difflib.unified_diff((base or "").splitlines(keepends=True), proposed.splitlines(keepends=True),
                                fromfile="PLAYBOOK.md (approved)", tofile="PLAYBOOK.proposed.md")
    for line in diff:
        style = ("green",) if line.startswith("+") else ("red",) if line.startswith("-") else ()
        print(paint(one_line(line.rstrip("\n")), *style))
    print("\napprove: looop playbook approve    reject: looop playbook reject")
    return 0


def _number(raw: str | None) -> int:
    from looop.core.errors import ExitStatus, FatalError

    if raw is None:
        raise FatalError("usage: looop playbook restore N (the entry number from `looop playbook history`)", ExitStatus.FAILED)
    if not raw.strip().isdigit():
        raise FatalError(f"playbook restore: {one_line(raw)[:40]!r} is not an entry number; "
                         "see `looop playbook history`", ExitStatus.FAILED)
    return int(raw)


def _journal(paths: Paths, text: str) -> str:
    from looop.moves.execute import journal

    return journal(paths, text)


def _diff_stat(old: str, new: str) -> str:
    plus = minus = 0
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0):
        if line.startswith("+") and not line.startswith("+++"):
            plus += 1
        elif line.startswith("-") and not line.startswith("---"):
            minus += 1
    return "same as live" if not (plus or minus) else f"+{plus} -{minus} lines to become live"


def show_history(paths: Paths, number: int | None = None) -> int:
    from looop.records import history

    live = read_text(paths.playbook, "") or ""
    if number is not None:
        entry = history.pick(paths.playbook_history, number)
        diff = difflib.unified_diff(live.splitlines(keepends=True), entry.text().splitlines(keepends=True),
                                    fromfile="PLAYBOOK.md (live)", tofile=f"history {number} ({entry.when})")
        for line in diff:
            style = ("green",) if line.startswith("+") else ("red",) if line.startswith("-") else ()
            print(paint(one_line(line.rstrip("\n")), *style))
        print(f"\nrestore it: looop playbook restore {number}")
        return 0
    found = history.entries(paths.playbook_history)
    if not found:
        print("no PLAYBOOK history yet: earlier texts are kept here each time the live PLAYBOOK changes")
        return 0
    print(f"earlier PLAYBOOK texts, newest first ({paths.playbook_history}):")
    for n, entry in enumerate(found, 1):
        why = history.REASONS.get(entry.reason, entry.reason)
        print(f"  {n:>2}  {entry.when}  {why:<33} {_diff_stat(live, entry.text())}")
    print("\nsee one: looop playbook history <n>    bring one back: looop playbook restore <n>")
    return 0


def restore(paths: Paths, number: int) -> int:
    from looop.records import history

    entry = history.restore(paths.playbook, paths.approved, paths.playbook_history, number)
    events.emit(paths.events, "playbook_restored", entry=number, kept_at=entry.when)
    _journal(paths, f"playbook restore {number}: the PLAYBOOK from {entry.when} is live again")
    print(f"restored: the PLAYBOOK from {entry.when} is live again (and the approved baseline); "
          "the text it replaced is now history 1")
    if paths.proposed.exists():
        print("note: a proposed PLAYBOOK change is still pending (looop playbook diff)")
    return 0


def write(paths: Paths, text: list[str], journal: str | None = None) -> int:
    """The human's PLAYBOOK, live at once (the text it replaces goes to history)."""
    from looop.moves import verbs

    return verbs.run(paths, {"move": "write_playbook", "body": verbs.text_arg(text, "PLAYBOOK text")}, journal)


class Playbook(usage.Verb):
    journal = usage.option("--journal", str, None, argname="LINE",
                           help="playbook write: the journal line's text (default: a summary)")

    def main(self, action: usage.one_of("diff", "approve", "reject", "history", "restore", "write") = "diff",  # type: ignore[valid-type]
             *rest: str) -> int:
        if action == "write":
            return write(resolve(), list(rest), self.journal)
        return playbook(resolve(), action, rest[0] if rest else None)
