"""The human's side of the executor: text from arguments or stdin, one line out.

`looop goal|sensor|playbook write` and `looop shell` build the same move the
decider would and hand it to the same executor, so a human edit is checked,
journaled and capped exactly like an AI one.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from looop.core.errors import ExitStatus, FatalError
from looop.core.paths import Paths
from looop.moves import MAX_BODY_BYTES


def text_arg(words: Sequence[str], what: str) -> str:
    """The words joined, or stdin when they are just `-`; refused when empty or over the cap."""
    if list(words) == ["-"]:
        raw = sys.stdin.buffer.read(MAX_BODY_BYTES + 1)
        if len(raw) > MAX_BODY_BYTES:
            raise FatalError(f"{what} on stdin is over the {MAX_BODY_BYTES}-byte cap; nothing was changed", ExitStatus.FAILED)
        text = raw.decode("utf-8", errors="replace")
    else:
        text = " ".join(words)
    if not text.strip():
        raise FatalError(f"{what} is empty: give it as arguments, or `-` to read stdin; nothing was changed", ExitStatus.FAILED)
    return text


def run(paths: Paths, move: dict[str, Any], journal: str | None = None, force: bool = False) -> int:
    """Make the move for the human, print what was done in one line."""
    from looop.moves.execute import execute
    from looop.setup import seed

    seed.ensure(paths)
    if journal is not None:
        if not journal.strip():
            raise FatalError("--journal is empty; give the line to journal", ExitStatus.FAILED)
        move = dict(move, journal=journal)
    from looop.core.caller import marker

    by = "human" if marker() is None else "decider"  # a verb the decider ran (through the door, or unboxed)
    done = execute(paths, move, by=by, force=force and by == "human")
    from looop.records import memory

    memory.commit_human(paths, done.line)
    print(f"{done.summary}; journaled: {done.line}")
    return 0
