"""runs/: one dir per decision (prompt.md + output.log), kept for replay.

A run dir appears whole and goes whole: it is staged under a hidden name and
renamed into place, and pruned by renaming it hidden before removing it. The
newest are kept by a sequence number in the name, never by the clock (a DST
fall-back or a TZ change must not make the newest run look oldest).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from looop.core.errors import ExitStatus, FatalError

_SEQ = re.compile(r"-\d{8}-\d{6}-(\d{6,})$")  # <label>-<local stamp>-<sequence>
_LEGACY = re.compile(r"(\d{8}-\d{6})")  # older names: <label>-<stamp>[-n]
_PRUNING = ".pruning-"
STALE_STAGING = 60.0  # seconds before a hidden staging dir counts as a killed beat's


def new_run_dir(runs: Path, label: str, prompt_text: str) -> Path:
    """A run dir that appears whole, numbered after the newest one there."""
    runs.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{label}-", dir=runs))
    (staging / "prompt.md").write_text(prompt_text, encoding="utf-8")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    seq = _newest_seq(runs)
    for _ in range(1000):
        seq += 1
        run_dir = runs / f"{label}-{stamp}-{seq:06d}"
        try:
            os.rename(staging, run_dir)  # fails if a (non-empty) run dir of that name exists
            return run_dir
        except OSError:
            continue
    shutil.rmtree(staging, ignore_errors=True)
    raise FatalError(f"cannot create a run dir under {runs}", ExitStatus.FAILED)


def _newest_seq(runs: Path) -> int:
    try:
        names = os.listdir(runs)
    except OSError:
        return 0
    return max((int(m.group(1)) for n in names if (m := _SEQ.search(n))), default=0)


def run_order(run_dir: Path) -> tuple[int, str, int, str]:
    """Oldest first: by sequence; names from before sequences sort first, by their stamp."""
    name = run_dir.name
    m = _SEQ.search(name)
    if m:
        return (int(m.group(1)), "", 0, name)
    legacy = _LEGACY.search(name)
    suffix = name.rsplit("-", 1)[-1]
    n = int(suffix) if legacy and suffix.isdigit() and len(suffix) < 4 else 1
    return (-1, legacy.group(1) if legacy else "", n, name)


def prune_runs(runs: Path, keep: int) -> list[str]:
    """Keep the newest `keep` run dirs (0 = all); return the removed names."""
    if not runs.is_dir():
        return []
    _sweep_hidden(runs)
    if keep <= 0:
        return []
    dirs = [d for d in runs.iterdir() if not d.name.startswith(".") and d.is_dir()]
    if len(dirs) <= keep:
        return []
    dirs.sort(key=run_order)
    gone = []
    for d in dirs[: len(dirs) - keep]:
        hidden = runs / f"{_PRUNING}{d.name}"
        try:
            os.rename(d, hidden)  # from here on the run is invisible; removal may take its time
        except OSError:
            continue
        shutil.rmtree(hidden, ignore_errors=True)
        gone.append(d.name)
    return gone


def _sweep_hidden(runs: Path) -> None:
    """Finish prunes a kill interrupted; remove staging dirs of killed beats once stale."""
    stale = time.time() - STALE_STAGING
    for d in runs.glob(".*"):
        try:
            if d.name.startswith(_PRUNING) or (d.is_dir() and d.stat().st_mtime < stale):
                shutil.rmtree(d, ignore_errors=True)
        except OSError:
            pass
