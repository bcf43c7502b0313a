"""PLAYBOOK history: each text the live PLAYBOOK replaced, newest 20, in playbook.d/.

The gate keeps one whenever the live text changes (approve, adopted hand
edit, restore); `looop playbook restore <n>` brings it back. Not in git: the
data dir's git log already holds every committed PLAYBOOK.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

KEEP = 20
_NAME = re.compile(r"^(\d{8}-\d{6})-(\d{9})-([a-z-]+)\.md$")
REASONS = {"approved": "replaced by an approved proposal", "adopted": "replaced by a hand edit",
           "written": "replaced by `looop playbook write`",
           "restored": "replaced by a restore"}


@dataclass
class Entry:
    path: Path
    when: str  # YYYY-mm-dd HH:MM:SS, host local time
    reason: str

    def text(self) -> str:
        return self.path.read_bytes().decode("utf-8", errors="replace")


def entries(hist_dir: Path) -> list[Entry]:
    """Newest first."""
    try:
        names = sorted((p for p in hist_dir.iterdir() if _NAME.match(p.name)), key=lambda p: p.name, reverse=True)
    except OSError:
        return []
    out = []
    for p in names:
        m = _NAME.match(p.name)
        assert m
        stamp = time.strptime(m.group(1), "%Y%m%d-%H%M%S")
        out.append(Entry(p, time.strftime("%Y-%m-%d %H:%M:%S", stamp), m.group(3)))
    return out


def keep(hist_dir: Path, text: bytes | None, reason: str, keep_count: int = KEEP) -> Path | None:
    """Save a PLAYBOOK text that is about to be replaced (unless it equals the newest kept)."""
    from looop.core.fsio import atomic_write

    if text is None:
        return None
    current = entries(hist_dir)
    if current and current[0].path.read_bytes() == text:
        return None
    now = time.time_ns()
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now / 1e9))
    frac = now % 1_000_000_000
    while True:
        path = hist_dir / f"{stamp}-{frac:09d}-{reason}.md"
        if not path.exists():
            break
        frac = (frac + 1) % 1_000_000_000
    atomic_write(path, text)
    for old in entries(hist_dir)[keep_count:]:
        try:
            old.path.unlink()
        except FileNotFoundError:
            pass
    return path


def pick(hist_dir: Path, n: int) -> Entry:
    from looop.core.errors import ExitStatus, FatalError

    found = entries(hist_dir)
    if not found:
        raise FatalError(f"no PLAYBOOK history yet ({hist_dir} is empty)", ExitStatus.FAILED)
    if not 1 <= n <= len(found):
        raise FatalError(f"no PLAYBOOK history entry {n}: pick 1..{len(found)} (see `looop playbook history`)", ExitStatus.FAILED)
    return found[n - 1]


def restore(playbook: Path, approved: Path, hist_dir: Path, n: int) -> Entry:
    """Make entry `n` the live PLAYBOOK and the gate's baseline; keep the current text."""
    from looop.core.fsio import atomic_write

    entry = pick(hist_dir, n)
    text = entry.path.read_bytes()
    try:
        live = playbook.read_bytes()
    except FileNotFoundError:
        live = None
    keep(hist_dir, live, "restored")

    atomic_write(live_file(playbook), text)
    atomic_write(approved, text)
    return entry


def live_file(playbook: Path) -> Path:
    """Where the PLAYBOOK's text is written: a symlink's target, followed consistently."""
    return playbook.resolve() if playbook.is_symlink() else playbook
