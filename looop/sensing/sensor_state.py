"""What each installed sensor last said, from the last beat's snapshots.

Read-only and cheap (a stat and the first bytes of each snapshot), so
`status` and `sensor list` answer at the speed of a directory listing.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from looop.core.paths import Paths

_HEAD = 4096  # an error reading is small; a good one needs only its first bytes to tell it is not an error


def installed(paths: Paths) -> list[Path]:
    from looop.sensing.sense import sensor_names

    return sensor_names(paths.sensors)


def last(paths: Paths, name: str) -> dict[str, Any]:
    """{"state": ok|failing|never, "problem", "age_s"} of the last beat's reading of `name`."""
    snap = paths.snapshot(name)
    try:
        with open(snap, "rb") as f:
            head = f.read(_HEAD)
        age = max(0.0, time.time() - snap.stat().st_mtime)
    except OSError:
        return {"state": "never", "problem": "", "age_s": None}
    problem = ""
    if head.startswith(b'{"looop_error"'):
        try:
            problem = str(json.loads(head)["looop_error"].get("problem") or "failed")
        except (ValueError, KeyError, AttributeError):
            problem = "failed"
    return {"state": "failing" if problem else "ok", "problem": problem, "age_s": round(age, 1)}


def listing(paths: Paths) -> list[dict[str, Any]]:
    from looop.sensing.sensor_cache import interval_of

    out = []
    for script in installed(paths):
        name = script.name[: -len(".sh")]
        try:
            with open(script, "rb") as f:
                interval = interval_of(f.read(2048))
        except OSError:
            interval = None
        out.append({"name": name, "interval_s": interval, **last(paths, name)})
    return out


def failing(paths: Paths) -> list[dict[str, str]]:
    """The installed sensors whose last reading was an error: [{"name", "problem"}]."""
    out = []
    for script in installed(paths):
        name = script.name[: -len(".sh")]
        seen = last(paths, name)
        if seen["state"] == "failing":
            out.append({"name": name, "problem": seen["problem"]})
    return out
