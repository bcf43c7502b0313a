"""Why a PLAYBOOK change waits in PLAYBOOK.proposed.md, for `status`.

Without the sandbox the gate cannot tell a hand edit from a worker's: an
edit made while a worker ran is parked. `status` says which it guessed and why.
"""

from __future__ import annotations

import json
import time

from looop.core.paths import Paths

_WHY = {
    "worker": ("PLAYBOOK.md changed while a worker was running, so it was parked: without the sandbox "
               "looop cannot tell your hand edit from a worker's (yours? looop playbook approve)"),
    "runner": "the AI edited PLAYBOOK.md during its move: parked for your review (looop playbook diff)",
}


def _path(paths: Paths):
    return paths.data / ".proposed-why.json"


def note(paths: Paths, who: str) -> None:
    from looop.core.fsio import atomic_write

    try:
        atomic_write(_path(paths), json.dumps({"who": who, "ts": time.time()}) + "\n", durable=False)
    except OSError:
        pass


def why(paths: Paths) -> str:
    """The reason for the pending proposal, or '' when none is known."""
    from looop.core.fsio import read_json_object

    data = read_json_object(_path(paths)) or {}
    return _WHY.get(str(data.get("who")), "")
