"""The loop's state as one document: what `looop status --json` prints and the web inbox reads.

Read-only: no runner, no sensors, nothing written; tails and small files only.
"""

from __future__ import annotations

import time
from typing import Any

from looop import __version__, fleet
from looop.core.fsio import read_text
from looop.core.locks import PulseLock
from looop.core.paths import Paths
from looop.core.stamps import utc

JOURNAL_TAIL = 10


def snapshot(paths: Paths) -> dict[str, Any]:
    """The one document a client needs (schemas/status.schema.json)."""
    from looop.beat import fairness, parked
    from looop.beat import pulse as pulse_mod
    from looop.fleet import keep
    from looop.guard import pause
    from looop.records import cost, journal
    from looop.records.budget import decides_since
    from looop.sensing import sensor_state
    from looop.time import schedules

    problem, cfg = config_problem(paths)
    pid = PulseLock(paths.lock_dir).holder()
    interval = _idle_interval(cfg)
    planned = pulse_mod.recorded(paths, pid)
    session = fleet.pulse_session(paths.fleet_root)
    last_time = last_hash = None
    try:
        st = paths.last_hash.stat()
        last_time = utc(st.st_mtime)
        last_hash = (read_text(paths.last_hash, "") or "").strip() or None
    except OSError:
        pass
    now = time.time()
    tail = journal.recent(paths.journal, JOURNAL_TAIL)
    attention = [ln.strip() for ln in (read_text(paths.attention, "") or "").splitlines() if ln.strip()]
    goals = fairness.order(paths, fairness.goal_ids(paths.goals))
    snap = {
        "version": __version__,
        "problem": problem,
        "pulse": {
            "running": pid is not None, "pid": pid,
            "interval_s": int(planned["wait_s"]) if planned else interval,
            "idle_interval_s": interval,
            "next_beat_at": _local_iso(planned.get("next_beat_epoch")) if planned else None,
            "session": bool(session and session.alive),
        },
        "pause": pause.current(paths),
        "failing_sensors": sensor_state.failing(paths),
        "last_tick": {"time": last_time, "hash": last_hash},
        "last_move": tail[-1] if tail else None,
        "decisions": {"last_hour": len(decides_since(paths.events, now - 3600, event="decided")),
                      "today": len(decides_since(paths.events, cost.local_midnight(now), event="decided"))},
        "workers": [worker_record(w) for w in _workers(paths, cfg)],
        "finished": [worker_record(w) for w in keep.workers(paths.fleet_root)],
        "schedules": [schedules.as_json(s) for s in schedules.load_all(paths, now)],
        "goals": [{"id": g, "last_acted": _local_iso(t)} for g, t in goals],
        "journal_tail": tail,
        "playbook_proposal_pending": paths.proposed.exists(),
        "playbook_proposal_why": parked.why(paths) if paths.proposed.exists() else None,
        "attention": attention,
        "cost_today_usd": cost.today_total(paths.ledger),
        "data_dir": str(paths.data),
        "config": str(paths.config),
        "profile": "default" if paths.is_default_profile else str(paths.data),
        **guardrails(paths, cfg),
        "git_failure": _git_failure(paths),
        **_mailbox(paths),
        "sandbox": _sandbox(cfg),
    }
    snap["paused"] = snap["pause"] is not None
    snap["held_back"] = [snap["budget"]["reason"]] if snap["budget"]["exhausted"] else []
    return snap


def _sandbox(cfg: dict[str, Any] | None) -> dict[str, Any]:
    from looop import box

    return box.status(cfg)


def worker_record(w: fleet.Worker) -> dict[str, Any]:
    """One worker in `status --json`, with its health and its verify result."""
    return {"id": w.id, "state": w.state, "alive": w.alive, "exit_code": w.exit_code,
            "flagged": w.flagged, "note": w.note, "health": w.health,
            "verify": w.verify.result if w.verify else None}


def config_problem(paths: Paths) -> tuple[str | None, dict[str, Any] | None]:
    """(what is wrong with the config, in one line, or None; the config as JSON)."""
    from looop.core.errors import FatalError
    from looop.setup import config

    if not paths.config.exists():
        return f"no config at {paths.config}: run `looop init` to choose the agent CLI", None
    try:
        return None, config.load(paths.config, seed=False, valid_cache=paths.valid_config).data
    except FatalError as exc:
        from looop.core.knobs import config_dict

        return f"{exc} (beats fail until it is fixed)", config_dict(paths.config)


def _idle_interval(cfg: dict[str, Any] | None) -> int:
    from looop.core.errors import FatalError
    from looop.setup.config import cadence

    try:
        return cadence(cfg)["interval"]
    except (FatalError, TypeError, ValueError):
        return 60


def _local_iso(epoch: Any) -> str | None:
    from looop.core.stamps import epoch as clock_epoch

    epoch = clock_epoch(epoch)
    if epoch is None:
        return None
    from datetime import datetime

    return datetime.fromtimestamp(epoch).astimezone().isoformat(timespec="seconds")


def _git_failure(paths: Paths) -> dict[str, Any] | None:
    from looop.core.fsio import read_json_object

    failed = read_json_object(paths.git_failure)
    if failed:
        return {"time": failed.get("ts"), "problem": str(failed.get("problem"))}
    from looop.records.memory import broken_dot_git

    broken = broken_dot_git(paths.data)  # a .git git cannot open: beats stop before deciding until it is fixed
    return {"time": None, "problem": broken} if broken else None


def _mailbox(paths: Paths) -> dict[str, Any]:
    from looop.mailbox import view

    return view.status_part(paths)


def _workers(paths: Paths, cfg: dict[str, Any] | None) -> list[fleet.Worker]:
    """With health; a bad LOOOP_WORKER_STUCK in the environment: status still answers."""
    from looop.core import knobs
    from looop.core.errors import FatalError
    from looop.mailbox import asking

    asks = asking.blocked_workers(paths)
    try:
        return fleet.workers(paths.fleet_root, config=cfg, asks=asks)
    except FatalError:
        return fleet.workers(paths.fleet_root, stuck_s=knobs.KNOBS["worker_stuck"].default, asks=asks)


def guardrails(paths: Paths, cfg: dict[str, Any] | None) -> dict[str, Any]:
    """Spend caps, flapping sensors and the last failure (tails and small files only)."""
    from looop.core import knobs
    from looop.core.errors import FatalError
    from looop.records import budget, changes
    from looop.records import failures as failure

    try:
        state = budget.check(paths.events, paths.ledger, cfg)
    except FatalError:  # a bad knob in the environment: status still answers
        state = budget.check(paths.events, paths.ledger, cfg, env={})
    try:
        beats = knobs.whole("flap_beats", cfg)
    except FatalError:
        beats = knobs.KNOBS["flap_beats"].default
    saved = changes.load(paths.world_state)
    flapping = changes.flapping(saved["streaks"], beats) if saved else []
    failed = failure.load(paths.last_failure)
    last_failure = None
    if failed:
        ts = failed.get("ts")
        last_failure = {
            "time": utc(ts) if isinstance(ts, (int, float)) else None,
            "run": failed.get("run"), "exit_code": failed.get("exit_code"), "why": failed.get("why"),
            "failures_in_row": failed.get("failures_in_row"),
        }
    return {"budget": state.as_json(), "flapping": flapping, "last_failure": last_failure}
