"""`looop goal write <id> [TEXT…|-]` and `looop goal archive <id>`: the goal moves, by hand."""

from __future__ import annotations

from collections.abc import Sequence

from looop.paths import Paths


def goal(paths: Paths, action: str, gid: str, text: Sequence[str] = (), journal: str | None = None) -> int:
    from looop.errors import FatalError
    from looop.moves import verbs

    if action == "write":
        return verbs.run(paths, {"move": "write_goal", "id": gid, "body": verbs.text_arg(text, f"goal {gid} body")},
                         journal)
    if text:
        raise FatalError(f"goal archive takes only the goal id (got extra words: {' '.join(text)[:60]})", 1)
    return verbs.run(paths, {"move": "archive_goal", "id": gid}, journal)
