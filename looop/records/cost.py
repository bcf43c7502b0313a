"""The spend ledger: every LLM dollar the loop (or a worker) reports.

Append-only, one whole JSON line per positive amount. Reports stream the file
line by line; today's total reads backwards from the end and stops at
yesterday, so neither grows with history in memory.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from looop.core.fsio import append_line, lines_backwards
from looop.core.stamps import parse_utc as parse_ts  # the ledger's readers use this name


@dataclass
class Entry:
    ts: float  # epoch seconds
    kind: str
    id: str
    runner: str
    cost_usd: float


MAX_USD = 1_000_000.0  # one call costing more is a bug or a lie, not spend; sums stay finite


def sane(usd: object) -> bool:
    """A positive, finite amount no call could plausibly exceed."""
    return (isinstance(usd, (int, float)) and not isinstance(usd, bool) and math.isfinite(usd)
            and 0 < usd <= MAX_USD)


def record(ledger: Path, kind: str, cost_id: str, runner: str, usd: float) -> bool:
    """Append one line; only sane amounts (positive, finite, at most MAX_USD) are recorded."""
    if not sane(usd):
        return False
    from looop.core.stamps import utc_now

    line = {"ts": utc_now(), "kind": kind, "id": cost_id, "runner": runner, "cost_usd": float(usd)}
    append_line(ledger, json.dumps(line, ensure_ascii=False))
    return True


def parse_line(line: str) -> Entry | None:
    """One ledger line, or None for anything that is not a valid entry."""
    try:
        obj: Any = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(obj, dict):
        return None
    usd = obj.get("cost_usd")
    if not sane(usd) or not isinstance(usd, (int, float)):
        return None
    ts = parse_ts(obj.get("ts"))
    if ts is None:
        return None
    kind, cost_id, runner = obj.get("kind"), obj.get("id"), obj.get("runner")
    if not (isinstance(kind, str) and kind and isinstance(cost_id, str) and isinstance(runner, str)):
        return None
    return Entry(ts, kind, cost_id, runner, float(usd))


def entries(ledger: Path) -> Iterator[Entry]:
    import io

    from looop.core.fsio import open_regular

    raw = open_regular(ledger)
    if raw is None:
        return
    with io.TextIOWrapper(raw, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            entry = parse_line(line)
            if entry:
                yield entry


def local_midnight(now: float | None = None) -> float:
    t = time.localtime(now)
    return time.mktime((t.tm_year, t.tm_mon, t.tm_mday, 0, 0, 0, 0, 0, -1))


def today_entries(ledger: Path, now: float | None = None) -> Iterator[Entry]:
    """Entries of the host's local day, read backwards from the end.

    Stops after a long run of older lines (a few out-of-order lines from
    concurrent writers are tolerated)."""
    start = local_midnight(now)
    older = 0
    for line in lines_backwards(ledger):
        entry = parse_line(line)
        if entry is None:
            continue
        if entry.ts >= start:
            older = 0
            yield entry
        else:
            older += 1
            if older >= 64:
                return


@dataclass
class Report:
    total: float = 0.0
    calls: int = 0
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    by_runner: dict[str, list[float]] = field(default_factory=dict)

    def add(self, e: Entry) -> None:
        self.total += e.cost_usd
        self.calls += 1
        for table, key in ((self.by_kind, e.kind), (self.by_runner, e.runner or "?")):
            row = table.setdefault(key, [0.0, 0])
            row[0] += e.cost_usd
            row[1] += 1

    def as_json(self, scope: str) -> dict[str, Any]:
        def table(t: dict[str, list[float]]) -> dict[str, Any]:
            return {k: {"usd": round(v[0], 4), "calls": int(v[1])} for k, v in sorted(t.items())}

        return {"scope": scope, "total_usd": round(self.total, 4), "calls": self.calls,
                "by_kind": table(self.by_kind), "by_runner": table(self.by_runner)}


def report(items: Iterable[Entry]) -> Report:
    rep = Report()
    for e in items:
        rep.add(e)
    return rep


def usd(amount: float) -> str:
    """Rounded to 4 decimals, trailing zeros trimmed: 0.5, 1.25, 0.0012, 3."""
    if not math.isfinite(amount):
        return "?"  # never print inf or nan as if it were money
    text = f"{round(amount, 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def today_total(ledger: Path) -> float:
    return round(sum(e.cost_usd for e in today_entries(ledger)), 6)
