"""The day's digest: what the loop did since a moment, from its own records.

Every source is read from its end backwards and stops at the start of the
window (the journal, events.jsonl, the ledger), so the cost follows the
window, never the month of history behind it. Read-only: nothing is written.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from looop.core.fsio import lines_backwards
from looop.core.paths import Paths
from looop.core.stamps import parse_utc

OLDER_RUN = 64  # lines older than the window in a row before a backwards read stops (concurrent writers)
JOURNAL_MAX = 500  # journal lines in one digest
FAILURE_EVENTS = ("tick_failed", "beat_failed", "notify_failed", "git_failed", "budget_exhausted")


def _journal_epoch(line: str) -> float | None:
    """`- 2026-12-03 09:15 text` (host local time) → epoch seconds."""
    stamp = line[2:18]
    if not line.startswith("- ") or len(stamp) != 16 or stamp[4] != "-" or stamp[10] != " " or stamp[13] != ":":
        return None
    try:
        parts = (int(stamp[0:4]), int(stamp[5:7]), int(stamp[8:10]), int(stamp[11:13]), int(stamp[14:16]))
    except ValueError:
        return None
    return time.mktime((*parts, 0, 0, 0, -1))


def _since(path: Path, since: float, stamp_of: Any) -> Iterator[tuple[float, str]]:
    """(epoch, line) of the lines stamped at or after `since`, newest first."""
    older = 0
    for line in lines_backwards(path):
        when = stamp_of(line)
        if when is None:
            continue
        if when >= since:
            older = 0
            yield when, line
        else:
            older += 1
            if older >= OLDER_RUN:
                return


def _event(line: str) -> dict[str, Any] | None:
    if not line.startswith("{"):
        return None
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def _event_epoch(line: str) -> float | None:
    at = line.find('"ts": "')  # events are written by looop with `ts` first: no JSON parse to skip a line
    return parse_utc(line[at + 7: at + 34].split('"', 1)[0]) if at >= 0 else None


def digest(paths: Paths, since_s: float, now: float | None = None) -> dict[str, Any]:
    """The digest of the last `since_s` seconds (schemas/today.schema.json)."""
    from looop import fleet
    from looop.core.stamps import utc
    from looop.fleet.sessions import bare_id
    from looop.records import cost

    now = time.time() if now is None else now
    start = now - since_s
    lines = [line for _, line in _since(paths.journal, start, _journal_epoch)]
    lines.reverse()
    decided = 0
    workers: dict[str, dict[str, Any]] = {}
    asked: list[dict[str, Any]] = []
    answered: set[str] = set()
    failures: list[dict[str, Any]] = []

    def worker(sid: Any) -> dict[str, Any]:
        name = bare_id(str(sid))
        return workers.setdefault(name, {"id": name, "started": False, "state": None, "exit_code": None,
                                         "verify": None, "killed": False})

    for when, line in _since(paths.events, start, _event_epoch):
        ev = _event(line)
        if ev is None:
            continue
        kind = ev.get("event")
        if kind == "decided":
            decided += 1
        elif kind == "session_started":
            worker(ev.get("session"))["started"] = True
        elif kind == "session_killed":
            worker(ev.get("session"))["killed"] = True
        elif kind == "verify_done":
            seen = worker(ev.get("session"))
            if seen["verify"] is None:  # newest first: the last verdict wins
                seen["verify"] = ev.get("result") if ev.get("result") in ("pass", "fail") else None
        elif kind == "ask_created":
            asked.append({"id": str(ev.get("ask")), "worker": str(ev.get("worker")), "at": utc(when)})
        elif kind == "ask_answered":
            answered.add(str(ev.get("ask")))
        elif kind in FAILURE_EVENTS:
            why = ev.get("why") or ev.get("problem") or ev.get("reason") or ev.get("error") or ""
            failures.append({"event": kind, "at": utc(when), "why": str(why)})
    for w in fleet.workers(paths.fleet_root):
        ended = w.ended_at is not None and w.ended_at >= start
        if w.name in workers or ended or w.alive:
            row = worker(w.id)
            row.update(state=w.state, exit_code=w.exit_code)
            if w.verify is not None:
                row["verify"] = w.verify.result
    entries = (cost.parse_line(line) for _, line in _since(paths.ledger, start, _ledger_entry))
    spend = cost.report(e for e in entries if e is not None)
    asked.reverse()
    failures.reverse()
    rows = sorted(workers.values(), key=lambda r: r["id"])
    return {
        "since": utc(start), "until": utc(now),
        "decisions": decided,
        "journal": lines[-JOURNAL_MAX:],
        "workers": rows,
        "workers_failed": sum(1 for r in rows if r["verify"] == "fail"
                              or (r["state"] in ("exited", "dead") and r["exit_code"] not in (0, None))),
        "asks": {"asked": len(asked), "answered": len(answered), "items": [
            {**a, "answered": a["id"] in answered} for a in asked]},
        "cost_usd": round(spend.total, 4),
        "runner_calls": spend.calls,
        "failures": failures,
    }


def _ledger_entry(line: str) -> float | None:
    from looop.records.cost import parse_line

    entry = parse_line(line)
    return entry.ts if entry else None


def text(d: dict[str, Any]) -> list[str]:
    """The digest as lines for a terminal (outside text made one printable line)."""
    from looop.core.untrusted import one_line

    out = [f"since {d['since']}: {d['decisions']} decision{'s' if d['decisions'] != 1 else ''}, "
           f"{len(d['workers'])} worker{'s' if len(d['workers']) != 1 else ''}, "
           f"{d['asks']['asked']} asked / {d['asks']['answered']} answered, "
           f"${d['cost_usd']:.2f} in {d['runner_calls']} runner call{'s' if d['runner_calls'] != 1 else ''}"]
    if d["journal"]:
        out.append("journal:")
        out += [f"  {one_line(line)}" for line in d["journal"][-20:]]
        if len(d["journal"]) > 20:
            out.append(f"  (… {len(d['journal']) - 20} earlier lines: see journal.md)")
    if d["workers"]:
        out.append("workers:")
        for w in d["workers"]:
            parts = ["started" if w["started"] else "", str(w["state"] or "gone"),
                     f"exit {w['exit_code']}" if w["exit_code"] is not None else "",
                     "killed" if w["killed"] else "", f"verify {w['verify']}" if w["verify"] else ""]
            out.append(f"  {one_line(w['id'])}: {', '.join(p for p in parts if p)}")
    waiting = [a for a in d["asks"]["items"] if not a["answered"]]
    if waiting:
        out.append("asks still open: " + ", ".join(one_line(a["id"]) for a in waiting))
    if d["failures"]:
        out.append("failures:")
        out += [f"  {f['at']} {f['event']}" + (f": {one_line(f['why'])}" if f["why"] else "")
                for f in d["failures"][-10:]]
    return out
