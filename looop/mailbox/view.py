"""The mailbox as others show it: the decider's PENDING ASKS section, the
NEEDS YOU lines, and the part of `status` that lists asks and failed sends.

Every line for the human carries the exact command to answer; the decider is
shown which asks still have a worker waiting (LIVE) and which reach nobody
(STRANDED), and never answers them itself.
"""

from __future__ import annotations

from typing import Any

from looop.core.paths import Paths
from looop.mailbox import store
from looop.mailbox.store import answer_command, placeholder

NEEDS_YOU_MAX = 10


def age(seconds: float) -> str:
    from looop.core.stamps import age as fmt

    return fmt(seconds)


def first_line(text: str, limit: int = 100) -> str:
    """The first non-blank line, safe to print (the text came from a worker or a human)."""
    from looop.core.untrusted import plain

    line = next((ln.strip() for ln in plain(text).splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def needs_lines(paths: Paths) -> list[str]:
    """NEEDS YOU: each pending ask with its answer command, then failing notifications."""
    lines = []
    asks = store.pending(paths) if store.names(paths.asks) else []
    for a in asks[:NEEDS_YOU_MAX]:
        opts = f" [{'/'.join(a.options)}]" if a.options else ""
        lines.append(f"? {a.id} ({a.worker}, {age(a.age_s)}): {first_line(a.prompt)}{opts} — answer: "
                     f"{answer_command(paths, a.id)} {placeholder(a.options)}")
    if len(asks) > NEEDS_YOU_MAX:
        lines.append(f"… and {len(asks) - NEEDS_YOU_MAX} more pending asks: see `looop asks`")
    lines += failure_lines(paths)
    return lines


def failure_lines(paths: Paths) -> list[str]:
    from looop.mailbox import notify

    out = []
    by_target: dict[str, list[dict[str, Any]]] = {}
    for f in notify.failures(paths):
        by_target.setdefault(str(f["target"]), []).append(f)
    for target, items in by_target.items():
        n = len(items)
        out.append(f"notification{'s' if n > 1 else ''} not delivered to {target}: {n} pending "
                   f"({items[-1]['error']}); retried on later beats")
    return out


def status_part(paths: Paths) -> dict[str, Any]:
    """What `status --json` adds: `pending_asks` and `notify_failures`."""
    from looop.mailbox import notify

    asks = [{"id": a.id, "worker": a.worker, "age_s": round(a.age_s, 1), "prompt": a.prompt,
             "options": a.options, "reference": a.reference, "answer_command": answer_command(paths, a.id)}
            for a in store.pending(paths)]
    return {"pending_asks": asks, "notify_failures": notify.failures(paths)}


def status_lines(part: dict[str, Any]) -> list[str]:
    """What the human `status` adds, from `status_part`."""
    from looop.core.untrusted import one_line

    lines = []
    for a in part["pending_asks"]:
        lines.append(f"ask {a['id']} ({a['worker']}, {age(a['age_s'])}): {first_line(a['prompt'])} — "
                     f"answer: {a['answer_command']} {placeholder(a['options'])}")
    for f in part["notify_failures"]:
        lines.append(f"notify FAILING: {f['event']} to {one_line(str(f['target']))} ({one_line(str(f['error']))}; "
                     f"try {f['tries']})")
    return lines
