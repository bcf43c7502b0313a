"""`looop today [--since DUR] [--json]`: what the loop did, as one screen."""

from __future__ import annotations

import time

from looop.commands import usage
from looop.core.paths import Paths, resolve
from looop.core.untrusted import json_text


def today(paths: Paths, since: str | None = None, as_json: bool = False) -> int:
    from looop.beat import today as digest

    if since is None:
        from looop.records.cost import local_midnight

        window = time.time() - local_midnight()
    else:
        from looop.time.schedules import parse_duration

        window = parse_duration(since, "--since")
    d = digest.digest(paths, window)
    if as_json:
        print(json_text(d))
        return 0
    print("\n".join(digest.text(d)))
    return 0


class Today(usage.Verb):
    since = usage.option("--since", str, None, argname="DUR", help="the window instead of since midnight (30m, 12h, 7d)")
    json = usage.flag("--json", help="print the machine format (schemas/today.schema.json)")

    def main(self) -> int:
        return today(resolve(), since=self.since, as_json=self.json)
