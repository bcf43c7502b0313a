"""Spend guardrails: at most max_decides_per_hour decisions and daily_budget_usd.

A cap reached skips the runner and leaves the hash unsaved, so the loop
resumes by itself when the window rolls over. Counts read the tails of
events.jsonl and cost.jsonl, never whole files.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Mapping

from looop.core.fsio import lines_backwards, read_json_object
from looop.core.stamps import utc

HOUR = 3600.0
_TOLERATED_OLDER = 64  # out-of-order lines from concurrent writers
_TS = re.compile(r'"ts": ?"([^"]+)"')
_DECIDE = re.compile(r'"event": ?"decide_start"')


@dataclass
class State:
    exhausted: bool
    reason: str | None
    decides_last_hour: int
    max_decides_per_hour: int  # 0 = no cap
    spend_today_usd: float
    daily_budget_usd: float | None
    resumes_at: float | None  # epoch seconds

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["spend_today_usd"] = round(self.spend_today_usd, 6)
        out["resumes_at"] = utc(self.resumes_at) if self.resumes_at else None
        return out


def decides_since(events: Path, since: float, enough: int = 0, event: str = "decide_start") -> list[float]:
    """Times of `decide_start` (or `event`) events at or after `since`, newest first.

    Reads backwards and stops at the window's start (or once `enough` found)."""
    from looop.core.stamps import parse_utc as parse_ts

    wanted = _DECIDE if event == "decide_start" else re.compile(r'"event": ?"%s"' % re.escape(event))
    found: list[float] = []
    older = 0
    for line in lines_backwards(events):
        m = _TS.search(line)
        ts = parse_ts(m.group(1)) if m else None
        if ts is None:
            continue
        if ts < since:
            older += 1
            if older >= _TOLERATED_OLDER:
                break
            continue
        older = 0
        if wanted.search(line):
            found.append(ts)
            if enough and len(found) >= enough:
                break
    return found


def check(events: Path, ledger: Path, config: Mapping[str, Any] | None, now: float | None = None,
          env: Mapping[str, str] | None = None) -> State:
    """Where the loop stands against both caps, right now."""
    from looop.core import knobs
    from looop.records import cost

    now = time.time() if now is None else now
    cap = knobs.whole("max_decides_per_hour", config, env)
    daily = knobs.amount("daily_budget_usd", config, env)
    recent = decides_since(events, now - HOUR, enough=cap)
    spent = round(sum(e.cost_usd for e in cost.today_entries(ledger, now)), 6)
    reason = resumes = None
    if daily is not None and spent >= daily:
        reason = f"spent ${cost.usd(spent)} today, daily_budget_usd is ${cost.usd(daily)}"
        # midday tomorrow is tomorrow whatever DST does; its midnight is the next one
        resumes = cost.local_midnight(cost.local_midnight(now) + 36 * 3600)
    elif cap and len(recent) >= cap:
        reason = f"{len(recent)} decisions in the last hour, max_decides_per_hour is {cap}"
        resumes = min(recent) + HOUR
    return State(exhausted=reason is not None, reason=reason, decides_last_hour=len(recent),
                 max_decides_per_hour=cap, spend_today_usd=spent, daily_budget_usd=daily, resumes_at=resumes)


def note(path: Path, state: State) -> None:
    """Remember (for NEEDS YOU) that the loop is holding back, or that it is not."""
    from looop.core.fsio import atomic_write

    if state.exhausted:
        atomic_write(path, json.dumps({"reason": state.reason, "resumes_at": state.resumes_at}) + "\n")
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def noted(path: Path, now: float | None = None) -> str | None:
    """The NEEDS YOU line for a held-back loop, while its window lasts."""
    data = read_json_object(path)
    if data is None:
        return None
    now = time.time() if now is None else now
    resumes = data.get("resumes_at")
    if not isinstance(resumes, (int, float)) or resumes <= now:
        return None
    when = time.strftime("%H:%M" if resumes - now < 20 * 3600 else "%Y-%m-%d %H:%M", time.localtime(resumes))
    return f"budget reached ({data.get('reason')}): no LLM calls until {when}, then the loop resumes by itself"
