"""Machine-facing lifecycle events: one JSON object per line in events.jsonl.

Emitting an event never fails a beat: the loop's work matters more than its
telemetry.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from looop.stamps import utc_now


def emit(path: Path, event: str, **fields: Any) -> None:
    from looop.fsio import append_line

    record = {"ts": utc_now(), "event": event, **fields}
    try:
        append_line(path, json.dumps(record, ensure_ascii=False, default=str))
    except OSError:
        pass
