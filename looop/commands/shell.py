"""`looop shell <cmd…>|-`: one run_shell by hand, its output shown as it runs."""

from __future__ import annotations

from collections.abc import Sequence

from looop.core.paths import Paths


def shell(paths: Paths, words: Sequence[str], journal: str | None = None) -> int:
    from looop.moves import verbs

    return verbs.run(paths, {"move": "run_shell", "cmd": verbs.text_arg(words, "command")}, journal)
