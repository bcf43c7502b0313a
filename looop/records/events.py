"""Machine-facing lifecycle events: one JSON object per line in events.jsonl.

Emitting an event never fails a beat: the loop's work matters more than its
telemetry.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from looop.core.stamps import utc_now

KEEP_ROTATED = 7


def emit(path: Path, event: str, **fields: Any) -> None:
    from looop.core.fsio import append_line

    if event == "tick_start":  # once a beat: the file stays bounded
        rotate(path)

    record = {"ts": utc_now(), "event": event, **fields}
    line = json.dumps(record, ensure_ascii=False, default=str)
    try:
        line.encode()
    except UnicodeEncodeError:  # a lone surrogate from a file name or a reading: escape it
        line = json.dumps(record, default=str)
    try:
        append_line(path, line)
    except OSError:
        pass


def rotate(path: Path, max_bytes: int | None = None) -> bool:
    """Past `max_bytes` (LOOOP_EVENTS_MAX_BYTES, 10 MB): events.jsonl becomes
    events.jsonl.1.gz, the older ones shift up, the 8th goes. One rotator at a
    time; a failure leaves the file as it was. True when it rotated."""
    import os

    try:
        size = path.stat().st_size
    except OSError:
        return False
    if max_bytes is None:
        from looop.core import knobs
        from looop.core.errors import FatalError

        try:
            max_bytes = int(knobs.get("events_max_bytes"))
        except FatalError:
            max_bytes = int(knobs.KNOBS["events_max_bytes"].default)
    if not max_bytes or size <= max_bytes:
        return False
    import gzip
    import shutil

    from looop.core.locks import locked

    with locked(path.with_name(path.name + ".lock"), blocking=False) as held:
        if not held:
            return False  # another process is rotating it now
        try:
            if path.stat().st_size <= max_bytes:
                return False
            taken = path.with_name(path.name + ".rotating")
            os.replace(path, taken)  # writers open by name: the next line starts the new file
            packed = path.with_name(f"{path.name}.0.gz")
            with open(taken, "rb") as src, gzip.open(packed, "wb", compresslevel=6) as dst:
                shutil.copyfileobj(src, dst)
            for n in range(KEEP_ROTATED, 0, -1):  # .7 goes, .6 → .7, …, .1 → .2
                older = path.with_name(f"{path.name}.{n}.gz")
                if n == KEEP_ROTATED:
                    older.unlink(missing_ok=True)
                elif older.exists():
                    os.replace(older, path.with_name(f"{path.name}.{n + 1}.gz"))
            os.replace(packed, path.with_name(f"{path.name}.1.gz"))
            taken.unlink()
            return True
        except OSError:
            return False
