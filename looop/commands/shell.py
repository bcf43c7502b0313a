"""`looop shell <cmd…>|-`: one run_shell by hand, its output shown as it runs."""

from __future__ import annotations

from collections.abc import Sequence

from looop.commands import usage
from looop.core.paths import Paths, resolve


def shell(paths: Paths, words: Sequence[str], journal: str | None = None) -> int:
    from looop.moves import verbs

    return verbs.run(paths, {"move": "run_shell", "cmd": verbs.text_arg(words, "command")}, journal)


class Shell(usage.Verb):
    journal = usage.option("--journal", str, None, argname="LINE", help="the journal line's text (default: a summary)")

    def main(self, *cmd: str) -> int:
        return shell(resolve(), cmd, self.journal)
