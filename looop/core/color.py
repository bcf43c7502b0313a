"""Whether colour may be printed, and the few styles the loop uses.

LOOOP_COLOR=1|0 wins; otherwise colour only on a TTY without NO_COLOR.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from looop.core.errors import FatalError

_CODES = {"dim": "2", "bold": "1", "red": "31", "green": "32", "yellow": "33", "cyan": "36", "magenta": "35"}


def enabled(stream: TextIO | None = None) -> bool:
    from looop.core import knobs

    try:
        forced = knobs.from_env("color")
    except FatalError:  # reported once at start (knobs.check_env); printing must not fail
        forced = None
    if forced is not None:
        return bool(forced)
    if os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def paint(text: str, *styles: str, on: bool | None = None) -> str:
    if on is None:
        on = enabled()
    if not on or not styles:
        return text
    codes = ";".join(_CODES[s] for s in styles)
    return f"\033[{codes}m{text}\033[0m"
