"""The one value a beat carries from stage to stage, and how a beat ended.

A Beat is made fresh for each beat and dropped after it (level-triggered:
nothing carries over in memory); each stage reads what the stages before it
found and adds its own part. `Outcome.result` says how the beat ended.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from looop.core.paths import Paths

if TYPE_CHECKING:  # an unchanged beat never needs ACT's module
    from looop.beat.agent_act import Acted, Plan


class Result(Enum):
    """How a beat ended."""

    DECIDED = "decided"  # the runner ran and exited 0: the one move was made
    FAILED = "failed"  # the runner ran and failed: the hash stays unsaved, the next beat retries
    UNCHANGED = "unchanged"  # skipped: the world is as the last decision left it
    PAUSED = "paused"  # the loop is paused: it sensed and served asks, and decided nothing
    HELD = "held"  # a spend cap holds the runner back until it resumes
    DRY_RUN = "dry-run"  # the prompt was written and nothing was run


@dataclass
class Outcome:
    result: Result
    run_dir: Path | None = None
    prompt: Path | None = None
    exit_code: int | None = None
    summary: str = ""  # an unchanged beat's one line


@dataclass(frozen=True)
class Before:
    """The state the move finds, so RECORD can tell what it changed."""

    fingerprint: str
    journal_size: int
    noop_ttl: int
    git: bool
    goals_before: tuple  # what fairness compares against to see which goals the move touched


@dataclass
class Beat:
    """What flows through one beat. The first four are the caller's; the rest
    the stages fill in, in order: prepare, SENSE, DIFF, the gates, DECIDE, ACT."""

    paths: Paths
    dry_run: bool = False
    focus: str | None = None  # `looop run <goal>`: a forced move on one goal
    quiet: bool = False  # an unchanged beat prints nothing
    env: dict[str, str] = field(default_factory=dict)  # the sensors', runner's and verifies' environment
    snap_dir: Path = field(init=False, repr=False)  # where SENSE writes the readings
    readings: list = field(default_factory=list)
    workers: list = field(default_factory=list)  # the fleet as SENSE saw it (and the AI is shown)
    timed: list = field(default_factory=list)  # the schedules, as the prompt and the hash saw them
    parts: list = field(default_factory=list)  # the world, part by part
    hash: str = ""  # the world's digest
    unchanged: bool = False  # the digest is the one the last decided beat saved
    gate: str = ""  # the gate that ended the beat, if one did
    plan: Plan = field(init=False, repr=False)  # DECIDE's: the prompt is written, the runner chosen
    before: Before = field(init=False, repr=False)
    acted: Acted = field(init=False, repr=False)  # ACT's: what the move came to
    fleet_after: list = field(default_factory=list)  # the fleet the after-hooks see

    @property
    def routine(self) -> bool:
        """A routine beat of the loop: not a dry run, not a forced move."""
        return not self.focus and not self.dry_run
