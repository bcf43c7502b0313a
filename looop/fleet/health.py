"""Worker health: busy, waiting-ask, stuck, flagged or dead, for the beat and `ls`.

Health is a word, never a clock: it feeds the world hash, so a worker going
quiet past LOOOP_WORKER_STUCK (or ending, or raising its hand) wakes the loop
once, while the seconds it sits idle never do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from looop.fleet.model import Worker


def stuck_after(config: Mapping[str, Any] | None = None) -> int:
    """Seconds without output before a live worker is `stuck` (0 = never)."""
    from looop.core import knobs

    return knobs.whole("worker_stuck", config)


def classify(worker: Worker, stuck_s: float, ask_age: float | None = None) -> str:
    """One worker's health; the first that applies wins: dead, flagged,
    waiting-ask (blocked on a pending ask: the human's turn, not stuck), stuck."""
    if not worker.alive:
        return "dead"
    if worker.flagged:
        return "flagged"
    if ask_age is not None:
        return "waiting-ask"
    if stuck_s > 0 and worker.idle_s is not None and worker.idle_s >= stuck_s:
        return "stuck"
    return "busy"


def assess(workers: list[Worker], stuck_s: float, asks: Mapping[str, float]) -> list[Worker]:
    """The workers with `health` (and `waiting_s`) filled in.

    `asks` maps a worker id (`x` or `looop-x`) to the age in seconds of the
    oldest pending ask that worker is blocked on."""
    out = []
    for w in workers:
        age = asks.get(w.id, asks.get(w.id.removeprefix("looop-")))
        out.append(dataclasses.replace(w, health=classify(w, stuck_s, age),
                                       waiting_s=age if w.alive and age is not None else None))
    return out
