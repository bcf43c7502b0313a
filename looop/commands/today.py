"""`looop today [--since DUR] [--json]`: what the loop did, as one screen."""

from __future__ import annotations

import time

from looop.paths import Paths
from looop.untrusted import json_text


def today(paths: Paths, since: str | None = None, as_json: bool = False) -> int:
    from looop import today as digest

    if since is None:
        from looop.cost import local_midnight

        window = time.time() - local_midnight()
    else:
        from looop.schedules import parse_duration

        window = parse_duration(since, "--since")
    d = digest.digest(paths, window)
    if as_json:
        print(json_text(d))
        return 0
    print("\n".join(digest.text(d)))
    return 0
