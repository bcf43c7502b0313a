"""The journal: one line per move, read only from its tail."""

from __future__ import annotations

import time
from pathlib import Path

from looop.fsio import tail_lines


def now_stamp() -> tuple[str, str]:
    """(`YYYY-MM-DD HH:MM`, zone name) in host local time."""
    t = time.localtime()
    return time.strftime("%Y-%m-%d %H:%M", t), time.strftime("%Z", t) or "local"


def recent(path: Path, count: int = 20) -> list[str]:
    return tail_lines(path, count)


def last(path: Path) -> str:
    lines = tail_lines(path, 1)
    return lines[0] if lines else ""
