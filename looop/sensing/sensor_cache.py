"""SENSE, less often: `# looop:interval=<seconds>` in a sensor's first 5 lines.

While its last good reading is younger than that, the same bytes are copied
into snapshots/ instead of running it, so hash and prompt cannot tell.
Failed readings are never reused; editing the sensor invalidates its cache.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
from pathlib import Path

from looop.core import durations
from looop.core.errors import FatalError

HEADER_LINES = 5
_INTERVAL = re.compile(r"^#\s*looop:interval\s*=(.*)$")


def interval_of(head: bytes) -> int | None:
    """The declared interval in seconds, from a sensor's first bytes."""
    for line in head.decode("utf-8", errors="replace").splitlines()[:HEADER_LINES]:
        m = _INTERVAL.match(line.strip())
        if m:
            try:
                return durations.parse_whole(m.group(1), "interval") or None
            except FatalError:
                continue  # not a duration: as if the line were not there
    return None


def _script(script: Path) -> tuple[int | None, str]:
    from looop.core.fsio import read_bytes

    try:
        body = read_bytes(script)  # a link to a FIFO must not block the beat
    except OSError:
        return None, ""
    if body is None:
        return None, ""
    return interval_of(body[:2048]), hashlib.sha256(body).hexdigest()


def _files(name: str) -> tuple[str, str]:
    return f"sensor-{name}.json", f"sensor-{name}.err"


def reuse(script: Path, out_dir: Path, cache_dir: Path, now: float | None = None) -> tuple[float, int] | None:
    """Copy a fresh-enough cached reading into `out_dir`; return (age, interval), else None."""
    interval, digest = _script(script)
    if interval is None:
        return None
    name = script.name[: -len(".sh")]
    from looop.core.fsio import read_json_object

    meta = read_json_object(cache_dir / f"{name}.meta")
    if meta is None or meta.get("script") != digest or not isinstance(meta.get("at"), (int, float)):
        return None
    age = (time.time() if now is None else now) - meta["at"]
    if not 0 <= age < interval:
        return None
    out, err = _files(name)
    try:
        shutil.copyfile(cache_dir / out, out_dir / out)
        if (cache_dir / err).exists():
            shutil.copyfile(cache_dir / err, out_dir / err)
    except OSError:
        return None
    return age, interval


def store(script: Path, out_dir: Path, cache_dir: Path, ok: bool, started: float) -> None:
    """Keep a good reading of a sensor with an interval; forget a failed one."""
    interval, digest = _script(script)
    name = script.name[: -len(".sh")]
    out, err = _files(name)
    if interval is None or not ok:
        if cache_dir.is_dir():
            forget(cache_dir, name)
        return
    from looop.core.fsio import atomic_write

    try:
        atomic_write(cache_dir / out, (out_dir / out).read_bytes())
        if (out_dir / err).exists():
            atomic_write(cache_dir / err, (out_dir / err).read_bytes())
        else:
            (cache_dir / err).unlink(missing_ok=True)
        atomic_write(cache_dir / f"{name}.meta", json.dumps({"at": started, "script": digest, "interval": interval}))
    except OSError:
        forget(cache_dir, name)


def forget(cache_dir: Path, name: str) -> None:
    for suffix in (".meta", ".json", ".err"):
        path = cache_dir / (f"{name}{suffix}" if suffix == ".meta" else f"sensor-{name}{suffix}")
        try:
            path.unlink()
        except (FileNotFoundError, NotADirectoryError):
            pass


def prune(cache_dir: Path, names: set[str]) -> None:
    """Drop cached readings of sensors that no longer exist."""
    try:
        metas = list(cache_dir.glob("*.meta"))
    except OSError:
        return
    for meta in metas:
        if meta.stem not in names:
            forget(cache_dir, meta.stem)
