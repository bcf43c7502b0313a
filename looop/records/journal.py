"""The journal: one line per move, read only from its tail."""

from __future__ import annotations

import time
from pathlib import Path

from looop.core.fsio import append_line, tail_lines


def now_stamp() -> tuple[str, str]:
    """(`YYYY-MM-DD HH:MM`, zone name) in host local time."""
    t = time.localtime()
    return time.strftime("%Y-%m-%d %H:%M", t), time.strftime("%Z", t) or "local"


def write(data_journal: Path, text: str) -> str:
    """Append `- <local stamp> <text>` (one line) and return it."""
    line = f"- {now_stamp()[0]} {' '.join(str(text).split())}"
    append_line(data_journal, line)
    return line


def recent(path: Path, count: int = 20) -> list[str]:
    return tail_lines(path, count)


def last(path: Path) -> str:
    lines = tail_lines(path, 1)
    return lines[0] if lines else ""
