"""`looop ls [--json] [--watch] [--interval DUR]`: this profile's workers.

The table is for a human (⚑ = waiting for you); `--json` is the stable machine
format of schemas/ls.schema.json; `--watch` redraws in place until Ctrl-C.
"""

from __future__ import annotations

import json
import re
import sys
import time
from typing import Any

from looop import fleet
from looop.errors import FatalError
from looop.paths import Paths

_DURATION = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|m|h)?\s*$")


def parse_duration(text: str) -> float:
    """`2`, `2s`, `500ms`, `1.5m`, `1h` → seconds (at least 0.1)."""
    m = _DURATION.match(text)
    if not m:
        raise FatalError(f"--interval {text!r}: not a duration (e.g. 2, 2s, 500ms, 1m)", 2)
    scale = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[m.group(2) or "s"]
    return max(0.1, float(m.group(1)) * scale)


def records(paths: Paths) -> list[dict[str, Any]]:
    return [
        {"id": w.id, "state": w.state, "alive": w.alive, "exit_code": w.exit_code, "age_s": w.age_s,
         "started_at": w.started_at, "runner": w.runner, "flagged": w.flagged, "note": w.note,
         "flagged_at": w.flagged_at, "supervisor_pid": w.supervisor_pid}
        for w in fleet.workers(paths.fleet_root)
    ]


def age(seconds: float) -> str:
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600}h"


def table(rows: list[dict[str, Any]], colour: bool) -> str:
    from looop.color import paint

    if not rows:
        return "no workers in this profile\n"
    head = ("ID", "STATE", "AGE", "EXIT", "")
    from looop.untrusted import one_line

    cells = [(one_line(r["id"]), one_line(r["state"]), age(r["age_s"]),
              "" if r["exit_code"] is None else str(r["exit_code"]),
              ("⚑ " + one_line(r["note"] or "")).rstrip() if r["flagged"] else "") for r in rows]
    widths = [max(len(c[i]) for c in [head, *cells]) for i in range(4)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip()]
    styles = {"running": ("green",), "starting": ("cyan",), "dead": ("red",), "killed": ("dim",), "exited": ("dim",)}
    for c in cells:
        line = "  ".join(v.ljust(w) for v, w in zip(c, widths))
        state = paint(c[1], *styles.get(c[1], ()), on=colour)
        line = line.replace(c[1].ljust(widths[1]), state + " " * (widths[1] - len(c[1])), 1)
        flag = paint(c[4], "yellow", "bold", on=colour) if c[4] else ""
        lines.append((line + "  " + flag).rstrip())
    return "\n".join(lines) + "\n"


def ls(paths: Paths, as_json: bool = False, watch: bool = False, interval: str = "2") -> int:
    from looop.color import enabled

    wait = parse_duration(interval)
    if not watch:
        rows = records(paths)
        if as_json:
            print(json.dumps({"fleet_root": str(paths.fleet_root), "sessions": rows}, ensure_ascii=False))
        else:
            sys.stdout.write(table(rows, enabled()))
        return 0
    colour = enabled()
    try:
        while True:
            rows = records(paths)
            body = (json.dumps({"fleet_root": str(paths.fleet_root), "sessions": rows}, ensure_ascii=False) + "\n"
                    if as_json else table(rows, colour))
            stamp = time.strftime("%H:%M:%S")
            sys.stdout.write(f"\033[H\033[2J{stamp}  looop ls (every {wait:g}s, Ctrl-C stops)\n\n{body}")
            sys.stdout.flush()
            time.sleep(wait)
    except KeyboardInterrupt:
        sys.stdout.write("\n")
        return 0
