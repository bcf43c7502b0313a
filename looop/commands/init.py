"""`looop init [--runner NAME] [--force]`: the verb; the work is `looop.setup.init`."""

from __future__ import annotations

from looop.commands import usage
from looop.core.paths import resolve
from looop.setup.init import init


class Init(usage.Verb):
    runner = usage.option(["--runner", "-r"], str, None, argname="NAME",
                          help="the preset to use; without it, asks on a terminal (else the first installed)")
    force = usage.flag("--force", help="overwrite an existing config (the old one is kept as .bak)")

    def main(self) -> int:
        return init(resolve(), runner=self.runner, force=self.force)
