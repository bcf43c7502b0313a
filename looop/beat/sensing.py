"""SENSE: run the sensors and look at the fleet.

Sensors run in parallel into the snapshot dir; every ended worker's verify
that fits this beat runs first, so the AI sees its verdict. Nothing here
decides: it only reads.
"""

from __future__ import annotations

import time
from pathlib import Path

from looop import fleet
from looop.beat.value import Beat
from looop.core.log import say, warn
from looop.core.paths import Paths
from looop.records import events


def sense(b: Beat) -> None:
    b.readings = read_sensors(b.paths, b.snap_dir, b.env)
    b.workers = fleet_now(b.paths, b.env)


def read_sensors(paths: Paths, snap_dir: Path, env: dict[str, str]) -> list:
    from looop.sensing.progress import SensorProgress
    from looop.sensing.sense import ReadingCache, sense, sensor_names

    scripts = sensor_names(paths.sensors)
    hand_for = None
    if scripts:  # each sensor in its box, with its own cache dir
        from looop.box.hands import sensors
        from looop.core import knobs

        hand_for = sensors(paths, knobs.config_dict(paths.config) or {})
    started = time.monotonic()
    with SensorProgress(p.name[: -len(".sh")] for p in scripts) as progress:
        readings = sense(paths.sensors, snap_dir, env, paths.data, ReadingCache(paths.reading_cache),
                         sensor_cache=paths.sensor_cache, on_done=progress.done, hand_for=hand_for)
    events.emit(paths.events, "sense_done", sensors=len(readings), failed=sum(not r.ok for r in readings),
                seconds=round(time.monotonic() - started, 3))
    return readings


def fleet_now(paths: Paths, env: dict[str, str]) -> list:
    """The workers with their health, once every ended worker's verify that
    fits this beat's budget has run (so the AI sees its verdict)."""
    from looop.core import knobs
    from looop.fleet import verify
    from looop.mailbox import asking

    config = knobs.config_dict(paths.config)
    asks = asking.blocked_workers(paths)
    workers = fleet.workers(paths.fleet_root, config=config, asks=asks)
    if not verify.pending(paths.fleet_root, workers):
        return workers
    timeout = max(1, knobs.whole("verify_timeout", config))
    from looop.fleet.sessions import bare_id

    for sid, result in verify.run_pending(paths.fleet_root, workers, paths.data, env, timeout):
        line = f"  verify {bare_id(sid)}: {result['result']}" + (" (timed out)" if result["timed_out"] else
                                                        f" (exit {result['exit_code']})")
        if result["result"] == "pass":
            say(line, "dim")
        else:
            warn(line)
        events.emit(paths.events, "verify_done", session=sid, result=result["result"],
                    exit_code=result["exit_code"], timed_out=result["timed_out"])
    return fleet.workers(paths.fleet_root, config=config, asks=asks)


def report(readings: list, snap_dir: Path) -> None:
    """A beat that goes on to decide: each sensor's outcome, one line each."""
    for r in readings:
        if r.ok:
            say(f"  sensor {r.sensor}: ok ({r.reused or f'{r.seconds:.2f}s'})", "dim")
        else:
            warn(f"  sensor {r.sensor}: FAILED, {r.problem} (see {snap_dir / ('sensor-' + r.sensor + '.json')})")


def in_brief(readings: list) -> str:
    """An unchanged beat's sensors in a few words: ` (4 sensors, 1 reused; failing: mail)`."""
    if not readings:
        return ""
    reused = sum(bool(r.reused) for r in readings)
    failing = [r.sensor for r in readings if not r.ok]
    words = f"{len(readings)} sensor{'s' if len(readings) != 1 else ''}"
    if reused:
        words += f", {reused} reused"
    if failing:
        words += f"; failing: {', '.join(failing)}"
    return f" ({words})"
