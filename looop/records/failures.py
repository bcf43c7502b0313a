"""The last failed beat, so the next one knows what went wrong.

A small state file holds the exit, the tail of the output and how many beats
in a row failed; the prompt shows it as `=== LAST FAILURE ===` and a
successful beat clears it. It never grows: one record, a capped tail.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

TAIL_LINES = 30
TAIL_CHARS = 3000


def load(path: Path) -> dict[str, Any] | None:
    """The record, each field of the type its readers expect (a hand-edited or
    torn one never fails a beat): ts an epoch or None, failures_in_row >= 1."""
    from looop.core.fsio import read_json_object
    from looop.core.stamps import epoch

    data = read_json_object(path)
    if data is None:
        return None
    streak = data.get("failures_in_row")
    code = data.get("exit_code")
    return {**data, "ts": epoch(data.get("ts")),
            "failures_in_row": streak if type(streak) is int and 1 <= streak < 1 << 31 else 1,
            "exit_code": code if type(code) is int and abs(code) < 1 << 31 else None,
            **{k: data[k] if isinstance(data.get(k), str) else "" for k in ("run", "why", "tail")}}


def record(path: Path, *, exit_code: int, why: str, output_log: Path, run: str) -> int:
    """Remember this failure; return how many beats in a row have failed."""
    from looop.core.fsio import atomic_write, tail_lines

    before = load(path) or {}
    streak = before.get("failures_in_row", 0) + 1
    tail = "\n".join(tail_lines(output_log, TAIL_LINES))[-TAIL_CHARS:]
    atomic_write(path, json.dumps({"ts": time.time(), "run": run, "exit_code": exit_code, "why": why,
                                   "failures_in_row": streak, "tail": tail}, ensure_ascii=False) + "\n")
    return streak


def clear(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def section(path: Path) -> str | None:
    """The body of `=== LAST FAILURE ===`, or None after a success."""
    data = load(path)
    if not data:
        return None
    streak = data.get("failures_in_row", 1)
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(data.get("ts") or 0))
    beats = "beat has" if streak == 1 else f"{streak} beats in a row have"
    return (f"The last {beats} failed. Most recent: {when}, run {data.get('run')}, {data.get('why')} "
            f"(exit code {data.get('exit_code')}).\n"
            "If the cause is in the data dir (a goal, a sensor, your last move), fix it with this move; "
            "if it is outside (the runner, the network), say so in attention.md.\n"
            f"Tail of its output (runs/{data.get('run')}/output.log):\n{data.get('tail') or '(no output)'}\n")
