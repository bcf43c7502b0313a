"""UTC timestamps: the one place that writes and reads RFC 3339 UTC stamps.

Every file a machine reads (events, the ledger, status, worker metadata)
stamps times the same way, `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`, so one parser
reads them all back.
"""

from __future__ import annotations

import time
from calendar import timegm
from datetime import datetime, timezone


def utc(epoch: float | None = None) -> str:
    """`epoch` (default now) to the second: `2026-01-31T09:05:00Z`."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if epoch is None else epoch))


def utc_now() -> str:
    """Now, to the microsecond (event and ledger lines sort by it)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_utc(ts: object) -> float | None:
    """Epoch seconds of a UTC RFC 3339 stamp (`YYYY-MM-DDTHH:MM:SS[.frac]Z`), else None."""
    if not isinstance(ts, str) or len(ts) < 20 or not ts.endswith("Z") or not ts.isascii():
        return None
    if ts[4] != "-" or ts[7] != "-" or ts[10] != "T" or ts[13] != ":" or ts[16] != ":":
        return None
    digits = ts[0:4] + ts[5:7] + ts[8:10] + ts[11:13] + ts[14:16] + ts[17:19]
    if not digits.isdigit():
        return None
    y, mo, d, h, mi, sec = (int(ts[0:4]), int(ts[5:7]), int(ts[8:10]), int(ts[11:13]), int(ts[14:16]),
                            int(ts[17:19]))
    if not (1 <= mo <= 12 and 1 <= d <= 31 and h < 24 and mi < 60 and sec < 62):
        return None
    frac = ts[19:-1]
    extra = 0.0
    if frac:
        if not (frac.startswith(".") and frac[1:].isdigit()):
            return None
        extra = float("0" + frac)
    return timegm((y, mo, d, h, mi, sec, 0, 0, 0)) + extra


LAST_EPOCH = 253402300799  # 9999-12-31T23:59:59Z: the last second every clock function can show


def epoch(value: object) -> float | None:
    """A number read from a file as an epoch a clock can show (1970 to 9999), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if 0 <= value <= LAST_EPOCH else None  # NaN fails both comparisons

def age(seconds: float) -> str:
    """A short age for a human: `42s`, `3m05s`, `2h10m`, `4d3h`."""
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600}h"
