"""Fairness: which goal has waited longest for a move (the prompt's FAIRNESS).

A decided beat that touched a goal (its file changed) or its worker (one was
started) stamps it in `.goal-activity.json`; the prompt names the goal acted
on least recently, never-acted goals first, so a quiet goal is not starved by
a noisy one. Runtime state only: it never feeds the world hash.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from looop.core.paths import Paths


def load(paths: Paths) -> dict[str, float]:
    """{goal id: epoch of the last move that touched it}."""
    from looop.core.fsio import read_json_object
    from looop.core.stamps import epoch

    data = read_json_object(paths.goal_activity) or {}
    return {k: when for k, v in data.items() if (when := epoch(v)) is not None}


def stamp(paths: Paths, goal_id: str, when: float | None = None) -> None:
    """Record that a move touched goal `goal_id` now (or at `when`).

    The one call a move executor needs: after writing or archiving a goal, or
    starting or killing its worker, `stamp(paths, "<goal id>")`."""
    stamp_many(paths, [goal_id], when)


def stamp_many(paths: Paths, goal_ids: Iterable[str], when: float | None = None) -> None:
    ids = [g for g in goal_ids if g]
    if not ids:
        return
    from looop.core.fsio import atomic_write

    when = time.time() if when is None else when
    data = load(paths)
    for goal in ids:
        data[goal] = when
    try:
        atomic_write(paths.goal_activity, json.dumps(data, sort_keys=True) + "\n")
    except OSError:
        pass  # fairness is advice to the decider, never a reason to fail a beat


def observe(paths: Paths, workers: Iterable[Any]) -> tuple[dict[str, str], set[str]]:
    """Before a move: a digest of each goal file, and the live workers' ids."""
    from looop.core.fsio import read_bytes

    goals = {}
    for goal in sorted(paths.goals.glob("*.md")):
        try:
            body = read_bytes(goal, 1 << 20)  # never blocks on a FIFO, never reads a huge goal whole
            if body is None:
                continue
            goals[goal.stem] = hashlib.sha256(body + b"%d" % goal.stat().st_size).hexdigest()
        except OSError:
            continue
    return goals, {w.id for w in workers if w.alive}


def touched(paths: Paths, before: tuple[dict[str, str], set[str]], workers_after: Iterable[Any]) -> list[str]:
    """After a move: the goals whose file changed (written, archived) and the
    goals whose worker was started."""
    goals_before, live_before = before
    goals_after, _ = observe(paths, [])
    out = {g for g in set(goals_before) | set(goals_after) if goals_before.get(g) != goals_after.get(g)}
    known = set(goals_after) | set(goals_before)
    for w in workers_after:
        if w.alive and w.id not in live_before:
            goal = goal_of_worker(w.id, known)
            if goal:
                out.add(goal)
    return sorted(out)


def goal_of_worker(worker_id: str, goals: Iterable[str]) -> str | None:
    """`looop-fix-ci` → `fix-ci`; a dated id belongs to the goal it names:
    `playbook-daily-2026-01-05` to the longest goal id it starts with, and
    `playbook-2026-01-05` to the one goal whose id starts with `playbook-`."""
    import re

    from looop.fleet.sessions import bare_id

    bare = bare_id(worker_id)
    goals = set(goals)
    if bare in goals:
        return bare
    prefixes = [g for g in goals if bare.startswith(g + "-")]
    if prefixes:
        return max(prefixes, key=len)
    stem = re.sub(r"-\d{4}-\d{2}-\d{2}$", "", bare)
    named = [g for g in goals if stem != bare and g.startswith(stem + "-")]
    return named[0] if len(named) == 1 else None


def order(paths: Paths, goal_ids: Iterable[str]) -> list[tuple[str, float | None]]:
    """Goals, least recently acted on first (never-acted ones before all, by name)."""
    seen = load(paths)
    return sorted(((g, seen.get(g)) for g in goal_ids), key=lambda item: (item[1] is not None, item[1] or 0, item[0]))


def section(paths: Paths, goal_ids: Iterable[str], now: float | None = None) -> str:
    """The prompt's FAIRNESS body."""
    ranked = order(paths, goal_ids)
    if not ranked:
        return "(no goals)\n"
    now = time.time() if now is None else now
    first, when = ranked[0]
    from looop.core.untrusted import terminal

    lines = [f"Least recently acted on: {terminal(first)} ({_ago(when, now)}). "
             "When nothing is more pressing, give it the move."]
    lines += [f"- {terminal(g)}: {_ago(t, now)}" for g, t in ranked]
    return "\n".join(lines) + "\n"


def _ago(when: float | None, now: float) -> str:
    if when is None:
        return "never acted on"
    s = max(0, int(now - when))
    if s < 3600:
        return f"last acted on {s // 60}m ago"
    if s < 86400:
        return f"last acted on {s // 3600}h ago"
    return f"last acted on {s // 86400}d ago"


def goal_ids(goals_dir: Path) -> list[str]:
    return sorted(p.stem for p in goals_dir.glob("*.md"))
