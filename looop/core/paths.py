"""Where everything lives: the one module that reads location env vars.

Config and data follow XDG semantics on every platform (also macOS), using
platformdirs' Unix implementation. A LOOOP_DATA_DIR other than the default is
a separate profile with its own worker fleet.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DECISION_PREFIX = ".decision-"  # + <pid>-<token>.json: one decider call's own decision file


def _xdg(kind: str) -> Path:
    from platformdirs.unix import Unix

    return Path(getattr(Unix(), kind))


def default_data_dir() -> Path:
    return _xdg("user_state_dir") / "looop"


def serve_root() -> Path:
    """Where every data dir's `looop serve` token lives: hidden from every box."""
    return _xdg("user_state_dir") / "looop-serve"


def default_config_file() -> Path:
    return _xdg("user_config_dir") / "looop.json"


@dataclass(frozen=True)
class Paths:
    """Every file and directory of one profile's data dir, plus its config."""

    data: Path
    config: Path
    is_default_profile: bool

    # -- policy files (tracked in git) -------------------------------------
    @property
    def playbook(self) -> Path:
        return self.data / "PLAYBOOK.md"

    @property
    def goals(self) -> Path:
        return self.data / "goals"

    @property
    def archive(self) -> Path:
        return self.goals / "archive"

    @property
    def sensors(self) -> Path:
        return self.data / "sensors"

    @property
    def journal(self) -> Path:
        return self.data / "journal.md"

    @property
    def schedules(self) -> Path:
        """`schedules/<name>.json`: timed wake-ups (policy, so tracked)."""
        return self.data / "schedules"

    # -- the gate ------------------------------------------------------------
    @property
    def proposed(self) -> Path:
        return self.data / "PLAYBOOK.proposed.md"

    @property
    def gate_dir(self) -> Path:
        """The gate's private dir, outside the data dir where runners and workers work."""
        import hashlib

        key = hashlib.sha256(str(self.data.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]
        return _xdg("user_state_dir") / "looop-gate" / key

    @property
    def serve_token(self) -> Path:
        """`looop serve`'s login token (owner-only, beside the gate's dir, outside the data dir)."""
        return serve_root() / self.gate_dir.name / "token"

    @property
    def approved(self) -> Path:
        """The approved PLAYBOOK baseline (the gate's; never in the data dir)."""
        return self.gate_dir / "PLAYBOOK.approved"

    @property
    def legacy_approved(self) -> Path:
        """Where older versions kept the baseline, in reach of the runner."""
        return self.data / ".PLAYBOOK.approved"

    @property
    def runners_in_flight(self) -> Path:
        """One file per process whose runner has not reached its gate_post yet."""
        return self.gate_dir / "in-flight"

    # -- per-beat and runtime state (ignored by git) -------------------------
    @property
    def snapshots(self) -> Path:
        return self.data / "snapshots"

    @property
    def runs(self) -> Path:
        return self.data / "runs"

    @property
    def prompts(self) -> Path:
        return self.data / "prompts"

    @property
    def claims(self) -> Path:
        return self.data / "claims"

    @property
    def reports(self) -> Path:
        return self.data / "reports"

    @property
    def events(self) -> Path:
        return self.data / "events.jsonl"

    @property
    def ledger(self) -> Path:
        return self.data / "cost.jsonl"

    @property
    def tick_log(self) -> Path:
        return self.data / "tick.log"

    @property
    def crash_log(self) -> Path:
        """Tracebacks of unexpected errors, with versions (size-bounded)."""
        return self.data / "crash.log"

    @property
    def lock_dir(self) -> Path:
        return self.data / ".lock"

    @property
    def last_hash(self) -> Path:
        return self.data / ".last-tick-hash"

    @property
    def world_state(self) -> Path:
        """The parts of the world at the last decided beat (what changed)."""
        return self.data / ".last-world.json"

    @property
    def reading_cache(self) -> Path:
        """Digests of readings already validated against the schema."""
        return self.data / ".valid-readings"

    @property
    def valid_config(self) -> Path:
        """The digest of the config version last found valid (no re-check while unchanged)."""
        return self.data / ".valid-config"

    @property
    def next_interval(self) -> Path:
        return self.data / ".next-interval"

    @property
    def paused(self) -> Path:
        return self.data / "paused"

    @property
    def attention(self) -> Path:
        return self.data / "attention.md"

    @property
    def tmux_surfaced(self) -> Path:
        return self.data / ".tmux-surfaced"

    @property
    def bin_dir(self) -> Path:
        return self.data / ".bin"

    @property
    def fleet_root(self) -> Path:
        """Worker sessions of this profile (never another profile's)."""
        override = os.environ.get("LOOOP_FLEET_DIR")
        return Path(override) if override else self.data / "fleet"

    # -- guardrails (ignored by git) ------------------------------------------
    @property
    def playbook_history(self) -> Path:
        """Earlier live PLAYBOOK texts, newest 20 (`looop playbook history`)."""
        return self.data / "playbook.d"

    @property
    def budget_state(self) -> Path:
        """Present while a spend cap holds the loop back."""
        return self.data / ".budget-exhausted"

    @property
    def last_failure(self) -> Path:
        """The last failed beat, while failures run in a row."""
        return self.data / ".last-failure.json"

    @property
    def git_failure(self) -> Path:
        """Why the last commit of the tracked files failed, until one succeeds."""
        return self.data / ".git-failed.json"

    @property
    def noop_state(self) -> Path:
        """When the last decision changed nothing, and the world it saw."""
        return self.data / ".noop-since"

    @property
    def sensor_cache(self) -> Path:
        """Readings of sensors with an interval, reused while fresh."""
        return self.data / ".sensor-cache"

    def sensor_own(self, name: str) -> Path:
        """A sensor's own cache dir (`LOOOP_CACHE`): the one place its box lets it write."""
        return self.sensor_cache / "own" / name

    @property
    def ai_sensors(self) -> Path:
        """The names of the sensors the decider wrote: they run boxed like `run_shell`."""
        return self.data / ".ai-sensors"

    # -- time and the pulse (ignored by git) -----------------------------------
    @property
    def schedule_cache(self) -> Path:
        """Cron firings already worked out, so an unchanged beat needs no croniter."""
        return self.data / ".schedules-cache.json"

    @property
    def goal_activity(self) -> Path:
        """When a move last touched each goal (the prompt's FAIRNESS)."""
        return self.data / ".goal-activity.json"

    @property
    def pulse_state(self) -> Path:
        """The running pulse's chosen wait and next beat (for `status`)."""
        return self.data / ".pulse.json"

    # -- typed moves (ignored by git) -----------------------------------------
    @property
    def decision(self) -> Path:
        """The one shared decision file of older looops; housekeeping removes a leftover."""
        return self.data / ".decision.json"

    def decision_for(self, owner: str) -> Path:
        """The one move a typed decider describes, one file per decider call
        (`owner` = `<pid>-<token>`): read, then deleted, by that call alone."""
        return self.data / f"{DECISION_PREFIX}{owner}.json"

    @property
    def last_shell(self) -> Path:
        """The last run_shell's result, until the next prompt shows it."""
        return self.data / ".last-shell.json"

    @property
    def shell_running(self) -> Path:
        """Write-ahead record of a run_shell in progress (a crash leaves it behind)."""
        return self.data / ".shell-running.json"
    # -- the mailbox (ignored by git) -----------------------------------------
    @property
    def asks(self) -> Path:
        """A worker's questions, `<worker>-<n>.json`, kept as the record."""
        return self.data / "asks"

    @property
    def answers(self) -> Path:
        """The human's answers, `<ask-id>.json`, written exactly once."""
        return self.data / "answers"

    @property
    def tells(self) -> Path:
        """Messages queued for a live worker, `<worker>-<n>.json`."""
        return self.data / "tells"

    @property
    def tells_consumed(self) -> Path:
        """Delivered tells, pruned after a week."""
        return self.tells / "consumed"

    @property
    def notified(self) -> Path:
        """Which notifications were sent, and which wait for a retry."""
        return self.data / ".notified.json"

    def snapshot(self, sensor: str) -> Path:
        return self.snapshots / f"sensor-{sensor}.json"


def systemd_user_dir() -> Path:
    """Where a systemd user manager looks for units ($XDG_CONFIG_HOME/systemd/user)."""
    return _xdg("user_config_dir") / "systemd" / "user"


def launch_agents_dir() -> Path:
    """Where launchd looks for a user's agents (macOS)."""
    return Path.home() / "Library" / "LaunchAgents"


def resolve(env: os._Environ[str] | dict[str, str] | None = None) -> Paths:
    """Paths for the profile named by the environment (or the default one)."""
    env = os.environ if env is None else env
    default = default_data_dir()
    data_env = env.get("LOOOP_DATA_DIR")
    data = Path(data_env).expanduser() if data_env else default
    config_env = env.get("LOOOP_CONFIG")
    config = Path(config_env).expanduser() if config_env else default_config_file()
    data = Path(os.path.abspath(data))
    return Paths(
        data=data,
        config=Path(os.path.abspath(config)),
        is_default_profile=data == Path(os.path.abspath(default)),
    )
