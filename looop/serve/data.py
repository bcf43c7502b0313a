"""What each page shows, as plain data: the HTML pages and `/api/` render the same dicts.

Everything here reads files the way the CLI does (bounded, non-blocking) and
returns outside text cleaned to printable Unicode: no escape sequence, no
control character, no lone surrogate from a non-UTF-8 name survives.
"""

from __future__ import annotations

import difflib
import time
from typing import Any

from looop.core.errors import FatalError
from looop.core.paths import Paths
from looop.core.untrusted import plain

INBOX_SHOWN = 100  # pending asks on one page, newest first
PLAYBOOK_MAX_BYTES = 256 << 10
SCREEN_BYTES = 256 << 10  # the log tail a screen is re-enacted from
JOURNAL_LINES = 50


def clean(text: Any) -> str:
    """Outside text as printable, valid Unicode (tabs and newlines kept)."""
    s = text if isinstance(text, str) else str(text)
    s = s.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return plain(s)


def cleaned(value: Any) -> Any:
    """`clean` applied to every string in a JSON-shaped value (keys too)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(k): cleaned(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [cleaned(v) for v in value]
    return value


def age(seconds: float) -> str:
    from looop.mailbox import view

    return view.age(seconds)


def inbox(paths: Paths) -> dict[str, Any]:
    from looop import fleet
    from looop.mailbox import store
    from looop.records import attention

    found = store.pending(paths)
    found.reverse()  # newest first
    asks = [{"id": a.id, "worker": a.worker, "prompt": a.prompt, "options": a.options, "reference": a.reference,
             "ts": str(a.record.get("ts", "")), "age_s": round(a.age_s, 1), "age": age(a.age_s)}
            for a in found[:INBOX_SHOWN]]
    told = []
    for rid in store.queued_tells(paths):
        record = store.read(paths.tells / f"{rid}.json") or {}
        told.append({"id": rid, "worker": store.split(rid)[0], "msg": str(record.get("msg", "")),
                     "ts": str(record.get("ts", ""))})
    notes = [{"id": n.id, "text": n.text} for n in attention.notes(paths)]
    live = [w.name for w in fleet.workers(paths.fleet_root) if w.alive]
    return cleaned({"asks": asks, "more_asks": max(0, len(found) - INBOX_SHOWN), "told": told,
                    "attention": notes, "live_workers": live, "playbook_proposal_pending": paths.proposed.exists()})


def _worker_costs(paths: Paths) -> dict[str, float]:
    from looop.records import cost

    out: dict[str, float] = {}
    for e in cost.entries(paths.ledger):
        if e.kind == "session":
            out[e.id] = out.get(e.id, 0.0) + e.cost_usd
    return out


def fleet_page(paths: Paths, with_screens: bool = False) -> dict[str, Any]:
    from looop.beat.snapshot import _workers, config_problem

    _, cfg = config_problem(paths)
    costs = _worker_costs(paths)
    rows = []
    for w in _workers(paths, cfg):
        rows.append({"id": w.name, "state": w.state, "alive": w.alive, "health": w.health,
                     "age_s": round(w.age_s, 1), "age": age(w.age_s), "exit_code": w.exit_code,
                     "note": w.note, "runner": w.runner, "cost_usd": round(costs.get(w.name, 0.0), 4),
                     "verify": w.verify.result if w.verify else None})
    out = cleaned({"workers": rows})
    if with_screens:
        for row in out["workers"]:
            try:
                row["screen"] = screen(paths, row["id"])
            except FatalError:
                row["screen"] = None
    return out


# -- a worker's screen ---------------------------------------------------------------

def screen(paths: Paths, name: str) -> dict[str, Any]:
    """The worker's terminal as `screenshot` sees it: rows of (text, style) runs."""
    from looop.fleet import logtail, sessions
    from looop.fleet import screen as pyte_screen

    found = sessions.find(paths.fleet_root, name)
    cols, rows = sessions.size_of(found)
    term = pyte_screen.Terminal(cols, rows, scrollback=0)
    term.feed(logtail.tail(found.log, found.log_old, SCREEN_BYTES))
    lines: list[list[dict[str, Any]]] = []
    for row in term.screen_rows():
        runs: list[dict[str, Any]] = []
        for text, style in pyte_screen.runs(row, cols):
            fg, bg, bold, italics, underscore, strike, reverse, _blink = style
            if reverse:
                fg, bg = (bg if bg != "default" else "black"), (fg if fg != "default" else "white")
            runs.append({"t": clean(text), "fg": _colour(fg), "bg": _colour(bg), "b": bool(bold),
                         "i": bool(italics), "u": bool(underscore), "s": bool(strike)})
        lines.append(runs)
    while lines and not any(r["t"].strip() or r["bg"] for r in lines[-1]):
        lines.pop()
    return {"id": clean(found.name), "cols": cols, "rows": rows, "lines": lines}


_NAMED = ("black", "red", "green", "brown", "blue", "magenta", "cyan", "white")


def _colour(name: str) -> str | None:
    """pyte's colour as a CSS class suffix: `red`, `bright-red`, `x196`; None for the default."""
    if name == "default" or not name:
        return None
    bright = name.startswith("bright")
    bare = name[6:] if bright else name
    if bare in _NAMED:
        return f"{'bright-' if bright else ''}{bare}"
    if len(name) == 6:
        try:
            r, g, b = (int(name[i:i + 2], 16) for i in (0, 2, 4))
        except ValueError:
            return None
        return f"x{_xterm(r, g, b)}"
    return None


_STEPS = (0, 95, 135, 175, 215, 255)


def _xterm(r: int, g: int, b: int) -> int:
    """The nearest of xterm's 240 fixed colours (16..255)."""
    def step(v: int) -> int:
        return min(range(6), key=lambda i: abs(_STEPS[i] - v))

    ci = 16 + 36 * step(r) + 6 * step(g) + step(b)
    cube = (_STEPS[step(r)], _STEPS[step(g)], _STEPS[step(b)])
    grey = max(0, min(23, round((r + g + b) / 3 - 8) // 10))
    gv = 8 + 10 * grey
    dist = sum((a - c) ** 2 for a, c in zip((r, g, b), cube))
    return ci if dist <= sum((a - gv) ** 2 for a in (r, g, b)) else 232 + grey


def term_css() -> str:
    """CSS for the 240 fixed colours (a class per colour: no inline style is ever needed)."""
    out = []
    for n in range(16, 256):
        if n < 232:
            k = n - 16
            rgb = (_STEPS[k // 36], _STEPS[(k // 6) % 6], _STEPS[k % 6])
        else:
            rgb = (8 + 10 * (n - 232),) * 3
        hexa = "#%02x%02x%02x" % rgb
        out.append(f".fg-x{n}{{color:{hexa}}}.bg-x{n}{{background:{hexa}}}")
    return "\n".join(out) + "\n"


# -- today and the playbook ------------------------------------------------------------

def today_page(paths: Paths) -> dict[str, Any]:
    from looop.beat import today as digest
    from looop.beat.snapshot import config_problem, guardrails
    from looop.records import journal
    from looop.records.cost import local_midnight
    from looop.time import schedules

    now = time.time()
    _, cfg = config_problem(paths)
    due = [schedules.as_json(s) for s in schedules.load_all(paths, now)]
    due = [s for s in due if s["next_due"]]
    due.sort(key=lambda s: s["next_due"])
    return cleaned({"digest": digest.digest(paths, now - local_midnight(now), now),
                    "journal": journal.recent(paths.journal, JOURNAL_LINES),
                    "budget": guardrails(paths, cfg)["budget"], "next_wakes": due[:10],
                    "failing_sensors": failing_sensors(paths)})


def failing_sensors(paths: Paths) -> list[dict[str, str]]:
    """Sensors whose reading in the last beat was an error reading."""
    import json
    import os

    from looop.core.fsio import read_bytes

    try:
        listed = os.listdir(paths.snapshots)
    except OSError:
        return []
    out = []
    for name in sorted(listed):
        if not (name.startswith("sensor-") and name.endswith(".json")):
            continue
        raw = read_bytes(paths.snapshots / name, 65536)
        if not raw or b"looop_error" not in raw:
            continue
        try:
            body = json.loads(raw).get("looop_error")
        except (ValueError, AttributeError):
            continue
        problem = body.get("problem") if isinstance(body, dict) else body
        out.append({"sensor": name[7:-5], "problem": str(problem or "failed")})
    return out


def playbook_page(paths: Paths) -> dict[str, Any]:
    from looop.core.fsio import read_text

    live = read_text(paths.playbook, "", limit=PLAYBOOK_MAX_BYTES)
    diff: list[dict[str, str]] = []
    pending = paths.proposed.exists()
    if pending:
        base = read_text(paths.approved, None, limit=PLAYBOOK_MAX_BYTES)
        base = live if base is None else base
        proposed = read_text(paths.proposed, "", limit=PLAYBOOK_MAX_BYTES)
        for line in difflib.unified_diff(base.splitlines(), proposed.splitlines(), "PLAYBOOK.md (approved)",
                                         "PLAYBOOK.proposed.md", lineterm=""):
            kind = "add" if line.startswith("+") else "del" if line.startswith("-") else \
                "hunk" if line.startswith("@@") else "same"
            diff.append({"kind": kind, "text": line})
    return cleaned({"playbook": live, "proposal_pending": pending, "diff": diff})
