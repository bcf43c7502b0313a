"""`auto` finding no box says so in attention.md, at most once a day (§19).

The day it last said so is kept in `.sandbox-off-noted` (runtime state, ignored
by git), so a beat every minute still leaves one note a day.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from looop.core.paths import Paths


def say_off(paths: Paths, config: Mapping[str, Any] | None) -> bool:
    """Leave `sandbox: off (<why>)` in attention if `auto` found nothing and not yet today."""
    from looop.box import mode, resolve

    try:
        wanted, _ = mode(config)
    except Exception:  # a bad mode is reported where the box is used
        return False
    box = resolve(config)
    if wanted != "auto" or box.on or box.broken:
        return False
    from looop.core.fsio import atomic_write, read_text
    from looop.records.journal import now_stamp

    marker = paths.data / ".sandbox-off-noted"
    today = now_stamp()[0][:10]
    if read_text(marker, "").strip() == today:
        return False
    from looop.records import attention

    attention.add(paths, box.describe())
    atomic_write(marker, today + "\n")
    return True
