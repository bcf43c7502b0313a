"""Housekeeping: what a killed beat or a dead worker left behind.

Claims whose worker is not alive are reaped, temp files swept, an interrupted
run_shell is said once and never re-run, and a runner whose pulse died is
stopped before it can make a second move beside ours (one move per beat).
"""

from __future__ import annotations

from pathlib import Path

from looop import fleet
from looop.beat import gate
from looop.core.log import say, warn
from looop.core.paths import Paths
from looop.records import events


def housekeeping(paths: Paths) -> None:
    """Reap claims whose worker is not alive; sweep temp files a killed beat
    left behind. (Finished workers are pruned by the beat that showed them.)"""
    from looop.core.fsio import sweep_temps

    for directory in (paths.data, paths.goals, paths.claims, paths.sensor_cache, paths.playbook_history,
                      paths.asks, paths.answers, paths.tells, paths.tells_consumed):
        sweep_temps(directory)
    sweep_decisions(paths)
    if paths.shell_running.exists():
        from looop.moves.shell import recover

        cmd = recover(paths)
        if cmd:
            warn(f"a run_shell was interrupted by a crash and will not be re-run: {cmd[:120]}")
            events.emit(paths.events, "shell_interrupted", cmd=cmd[:500])
    if not paths.claims.is_dir():
        return
    live = {w.id for w in fleet.workers(paths.fleet_root) if w.alive}

    def is_alive(session: str) -> bool:
        return session in live or f"looop-{session}" in live

    for name, why in gate.reap_claims(paths.claims, is_alive):
        say(f"claim {name} reaped: {why}", "dim")
        events.emit(paths.events, "claim_reaped", claim=name, why=why)


def sweep_decisions(paths: Paths) -> None:
    """Remove decision files whose decider call is over: its process is gone (a killed
    beat or run), or the file is the shared name older looops used."""
    import os

    from looop.core.locks import pid_alive
    from looop.core.paths import DECISION_PREFIX
    from looop.moves import decision

    try:
        names = os.listdir(paths.data)
    except OSError:
        return
    for name in names:
        if name == paths.decision.name:
            decision.clear(paths.decision)
        elif name.startswith(DECISION_PREFIX) and name.endswith(".json"):
            pid = name[len(DECISION_PREFIX):].split("-", 1)[0]
            if not (pid.isdigit() and pid_alive(int(pid))):
                decision.clear(paths.data / name)


def runner_record(paths: Paths) -> Path:
    """Where the lock holder notes its running runner (see runner.reap_orphan)."""
    return paths.lock_dir / "runner"


def reap_orphan_runner(paths: Paths) -> None:
    """Called right after taking the lock: a runner whose pulse was killed
    must not make a second move alongside ours."""
    from looop.agents.runner import reap_orphan

    stopped = reap_orphan(runner_record(paths))
    if stopped:
        warn(f"stopped {stopped} process(es) of a runner whose pulse had died")
