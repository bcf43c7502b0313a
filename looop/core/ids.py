"""Names the loop turns into paths: goal ids and worker ids.

A name becomes a file name (goals/<id>.md, prompts/looop-<id>.md, a session
dir), so it must be a plain name: no path separators, no `..`, no leading dash.
"""

from __future__ import annotations

import re
from pathlib import Path

from looop.core.errors import ExitStatus, FatalError

_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")  # whole: fullmatch, so no trailing newline


def is_plain(name: str) -> bool:
    return bool(_PLAIN.fullmatch(name)) and ".." not in name


def check_plain(name: str, what: str) -> str:
    """`name` if it is a plain name, else a FatalError saying what a name may hold."""
    if not is_plain(name):
        raise FatalError(f"{what} {name!r} is not a plain name (letters, digits, '.', '_', '-'; "
                         "no '/', '..', spaces or a leading '-')", ExitStatus.FAILED)
    return name


SESSION_PREFIX = "looop-"  # a worker's session id is `looop-<id>`


def bare_id(sid: str) -> str:
    """A worker's id without its session prefix."""
    return sid[len(SESSION_PREFIX):] if sid.startswith(SESSION_PREFIX) else sid


def sessions_dir(fleet_root: Path) -> Path:
    """Where the fleet's session dirs live."""
    return fleet_root / "sessions"

