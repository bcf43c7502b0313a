"""`looop ls [--json] [--watch] [--interval DUR]`: this profile's workers.

The table is for a human (⚑ = waiting for you); `--json` is the stable machine
format of schemas/ls.schema.json; `--watch` redraws in place until Ctrl-C.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from looop import fleet
from looop.commands import usage
from looop.core.paths import Paths, resolve
from looop.core.stamps import age
from looop.core.untrusted import json_text


def parse_duration(text: str) -> float:
    """`2`, `2s`, `500ms`, `1.5m`, `1h`, `PT1M` (looop.core.durations) → seconds (at least 0.1)."""
    from looop.core import durations

    return max(0.1, durations.parse(text, "--interval"))


def records(paths: Paths) -> list[dict[str, Any]]:
    from looop.core.knobs import config_dict
    from looop.mailbox import asking, store

    blocked = asking.blocked(paths)  # the mailbox: which live worker waits on which ask
    tells = store.tell_counts(paths)
    out = []
    for w in fleet.listing(paths.fleet_root, config=config_dict(paths.config),
                           asks={k: a.age_s for k, a in blocked.items()}):
        ask = blocked.get(w.id.removeprefix("looop-")) if w.health == "waiting-ask" else None
        out.append({"id": w.id, "state": w.state, "alive": w.alive, "exit_code": w.exit_code, "age_s": w.age_s,
                    "started_at": w.started_at, "runner": w.runner, "flagged": w.flagged, "note": w.note,
                    "flagged_at": w.flagged_at, "supervisor_pid": w.supervisor_pid,
                    "health": w.health, "idle_s": w.idle_s, "verify": verify_record(w),
                    "waiting_ask": {"id": ask.id, "age_s": round(ask.age_s, 1)} if ask else None,
                    "tells": tells.get(w.id.removeprefix("looop-"), 0)})
    return out


def finished_records(paths: Paths) -> list[dict[str, Any]]:
    """Workers the beat has already shown, kept `worker_log_keep`: newest first."""
    from looop.fleet import keep

    return [{"id": w.id, "state": w.state, "exit_code": w.exit_code, "started_at": w.started_at,
             "ended_at": w.ended_at, "runner": w.runner, "verify": verify_record(w)}
            for w in keep.workers(paths.fleet_root)]


def finished_table(rows: list[dict[str, Any]], colour: bool) -> str:
    """`finished (kept …)`: id, state, exit, verify, when it ended."""
    if not rows:
        return ""
    from looop.core.color import paint
    from looop.core.untrusted import one_line
    from looop.fleet.sessions import bare_id

    now = time.time()
    lines = ["", "FINISHED (kept worker_log_keep; `looop screenshot ID` shows the last screen)"]
    for r in rows:
        ended = f"ended {age(now - r['ended_at'])} ago" if isinstance(r["ended_at"], (int, float)) else ""
        code = "" if r["exit_code"] is None else f"exit {r['exit_code']}"
        verify = verify_cell(r)
        line = "  ".join(x for x in (one_line(bare_id(r["id"])), r["state"], code,
                                      f"verify {one_line(verify)}" if verify else "", ended) if x)
        bad = verify.startswith("fail") or r["exit_code"] not in (None, 0) or r["state"] == "dead"
        lines.append(paint(line, "red", on=colour) if bad else line)
    return "\n".join(lines) + "\n"


def verify_record(w: fleet.Worker) -> dict[str, Any] | None:
    c = w.verify
    return None if c is None else {"cmd": c.cmd, "result": c.result, "exit_code": c.exit_code,
                                   "timed_out": c.timed_out, "ran_at": c.ran_at, "tail": c.tail}


def verify_cell(r: dict[str, Any]) -> str:
    v = r["verify"]
    if v is None:
        return ""
    if v["result"] == "fail":
        return "fail (timeout)" if v["timed_out"] else f"fail ({v['exit_code']})"
    return v["result"]




def _health(row: dict[str, Any]) -> str:
    """`waiting-ask 2m05s` (the ask's age) for a worker blocked on an ask, else its health."""
    ask = row.get("waiting_ask")
    return f"waiting-ask {age(ask['age_s'])}" if ask else row["health"]


def table(rows: list[dict[str, Any]], colour: bool) -> str:
    from looop.core.color import paint
    from looop.fleet.sessions import bare_id

    if not rows:
        return "no workers in this profile\n"
    from looop.core.untrusted import one_line

    head = ("ID", "STATE", "HEALTH", "AGE", "EXIT", "VERIFY", "")
    cells = [(one_line(bare_id(r["id"])), one_line(r["state"]), _health(r), age(r["age_s"]),
              "" if r["exit_code"] is None else str(r["exit_code"]), one_line(verify_cell(r)),
              ("⚑ " + one_line(r["note"] or "")).rstrip() if r["flagged"] else "") for r in rows]
    widths = [max(len(c[i]) for c in [head, *cells]) for i in range(6)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip()]
    styles = {"running": ("green",), "starting": ("cyan",), "dead": ("red",), "killed": ("dim",), "exited": ("dim",),
              "stuck": ("red",), "waiting-ask": ("yellow",), "flagged": ("yellow",), "busy": ("green",)}
    for c in cells:
        parts = [paint(v, *styles.get(v.split(" ")[0], ()), on=colour) + " " * (w - len(v)) if i in (1, 2) else v.ljust(w)
                 for i, (v, w) in enumerate(zip(c, widths))]
        if c[5].startswith("fail"):
            parts[5] = paint(c[5], "red", on=colour) + " " * (widths[5] - len(c[5]))
        flag = paint(c[6], "yellow", "bold", on=colour) if c[6] else ""
        lines.append(("  ".join(parts) + "  " + flag).rstrip())
    return "\n".join(lines) + "\n"


def ls(paths: Paths, as_json: bool = False, watch: bool = False, interval: str = "2") -> int:
    from looop.core.color import enabled

    wait = parse_duration(interval)
    if watch and not sys.stdout.isatty():
        print("looop ls: --watch redraws a terminal; printing once", file=sys.stderr)
        watch = False
    if not watch:
        rows, done = records(paths), finished_records(paths)
        if as_json:
            print(json_text({"fleet_root": str(paths.fleet_root), "sessions": rows, "finished": done}))
        else:
            sys.stdout.write(table(rows, enabled()) + finished_table(done, enabled()))
        return 0
    colour = enabled()
    try:
        while True:
            rows = records(paths)
            body = (json_text({"fleet_root": str(paths.fleet_root), "sessions": rows}) + "\n"
                    if as_json else table(rows, colour))
            stamp = time.strftime("%H:%M:%S")
            sys.stdout.write(f"\033[H\033[2J{stamp}  looop ls (every {wait:g}s, Ctrl-C stops)\n\n{body}")
            sys.stdout.flush()
            time.sleep(wait)
    except KeyboardInterrupt:
        sys.stdout.write("\n")
        return 0


class Ls(usage.Verb):
    json = usage.flag("--json", help="print the machine format (schemas/ls.schema.json)")
    watch = usage.flag(["--watch", "-w"], help="redraw in place until Ctrl-C")
    interval = usage.option(["--interval", "-n"], str, "2", argname="DUR",
                            help="how often --watch redraws (2, 2s, 500ms, 1m)")

    def main(self) -> int:
        return ls(resolve(), as_json=self.json, watch=self.watch, interval=self.interval)
