"""The pulse: beat, wait, beat again, one instance per data dir.

Cadence is deterministic code, never judgment: busy after a beat that acted,
active while a worker is alive, idle otherwise; the AI may ask for one other
wait via `.next-interval`. Failed beats back off; Ctrl-C and SIGTERM stop
cleanly, releasing the lock and stopping the runner.
"""

from __future__ import annotations

import os
import signal
import time
from types import FrameType

from looop import fleet
from looop.core.error_handler import beat_errors
from looop.core.errors import ExitStatus, FatalError
from looop.core.locks import PulseLock
from looop.core.log import fail, say
from looop.core.paths import Paths
from looop.records import events

MIN_WAIT, MAX_WAIT, MAX_BACKOFF = 5, 3600, 300


class Stop(BaseException):
    """Raised in the main thread by SIGTERM/SIGINT; like Ctrl-C, no beat catches it."""


def clamp(seconds: int) -> int:
    return max(MIN_WAIT, min(MAX_WAIT, seconds))


def take_next_interval(paths: Paths) -> int | None:
    """The AI's one-shot wait request: digits only, clamped, then deleted."""
    from looop.core.fsio import STATE_MAX_BYTES, read_text

    if not os.path.lexists(paths.next_interval):
        return None
    try:
        raw = (read_text(paths.next_interval, "", STATE_MAX_BYTES) or "").strip()  # never blocks on a FIFO
    except OSError:
        raw = ""
    try:
        paths.next_interval.unlink()
    except OSError:
        pass
    if not (raw.isascii() and raw.isdigit()):
        return None
    digits = raw.lstrip("0") or "0"
    return clamp(int(digits) if len(digits) <= 9 else MAX_WAIT)  # never int() of thousands of digits


def next_wait(cadence: dict[str, int], acted: bool, workers_alive: bool, requested: int | None,
              failures: int) -> int:
    if failures:
        return backoff(cadence["interval"], failures)
    if requested is not None:
        return requested
    if acted:
        return cadence["busy_interval"]
    if workers_alive:
        return cadence["active_interval"]
    return cadence["interval"]


def backoff(base: int, failures: int) -> int:
    """Exponential wait after `failures` failed beats in a row, capped."""
    base = max(base, MIN_WAIT)
    return min(MAX_BACKOFF, base * 2 ** min(failures - 1, 16))


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise Stop(signal.Signals(signum).name)


def run(paths: Paths, quiet: bool = False) -> int:
    """The pulse. `quiet`: a beat that found the world unchanged prints nothing."""
    from looop.agents import runner
    from looop.beat import Result, beat, reap_orphan_runner
    from looop.setup import config, seed

    seed.make_data_dir(paths)
    lock = PulseLock(paths.lock_dir)
    if not lock.acquire():
        pid = lock.holder()
        raise FatalError(f"another looop pulse is running on {paths.data} ({f'pid {pid}' if pid else 'pid unknown'})", ExitStatus.FAILED)
    reap_orphan_runner(paths)
    old = {s: signal.signal(s, _raise_stop) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    failures, why = 0, "it exited"
    try:
        cfg = config.load(paths.config)
        cadence = config.cadence(cfg.data)
        from looop.setup.preflight import check_runner

        check_runner(cfg, cfg.default_runner)  # a missing runner stops here, said once, not retried forever
        hint = "" if paths.is_default_profile else f", profile {paths.data}"
        say(f"looop pulse (pid {os.getpid()}): idle {cadence['interval']}s, busy {cadence['busy_interval']}s, "
            f"active {cadence['active_interval']}s, runner {cfg.default_runner}{hint}. Ctrl-C stops.", "bold")
        events.emit(paths.events, "pulse_start", pid=os.getpid())
        while True:
            acted, summary = False, ""
            beat_started = time.time()
            with beat_errors(paths.crash_log) as failed:
                outcome = beat(paths, quiet=True)
                acted, summary = outcome.result is Result.DECIDED, outcome.summary
                failures = failures + 1 if outcome.result is Result.FAILED else 0
            if failed.why:
                failures += 1
                fail(f"beat failed: {failed.why}")
                events.emit(paths.events, "beat_failed", why=failed.why, crashed=failed.crashed)
            with beat_errors(paths.crash_log) as bad_config:
                cadence = config.cadence(config.load(paths.config).data)
            if bad_config.why:
                fail(bad_config.why)
            alive = any(w.alive for w in fleet.workers(paths.fleet_root))
            wait = next_wait(cadence, acted, alive, take_next_interval(paths), failures)
            why = f" (backing off after {failures} failed beat{'s' if failures > 1 else ''})" if failures else ""
            rest(paths, wait, why, cadence, since=beat_started, summary=summary, quiet=quiet)
    except Stop as stop:
        runner.stop_current()
        say(f"pulse stopped ({stop})", "bold")
        why = f"it was sent {stop}"
        return 0
    except KeyboardInterrupt:
        runner.stop_current()
        say("pulse stopped", "bold")
        why = "Ctrl-C"
        return 0
    except BaseException as exc:
        why = f"{type(exc).__name__}: {exc}"[:200]
        raise
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        events.emit(paths.events, "pulse_stop", pid=os.getpid())
        from looop.mailbox import notify

        notify.pulse_stopped(paths, os.getpid(), why)
        try:
            paths.pulse_state.unlink()
        except OSError:
            pass
        lock.release()


def rest(paths: Paths, wait: int, why: str, cadence: dict[str, int], slice_s: float = 1.0,
         since: float | None = None, summary: str = "", quiet: bool = False) -> None:
    """Sleep until the next beat: `wait` seconds, or sooner when a schedule
    falls due. A schedule written or dropped meanwhile re-plans the sleep; one
    that fell due after `since` (while the last beat ran) ends it at once.
    After a beat where nothing happened (`summary`), the plan is that one
    line, or none when `quiet`."""
    from looop.time import schedules

    start = time.time()
    since = start if since is None else since
    seen: tuple | None = None
    end = start + wait
    while True:
        now = time.time()
        current = schedules.stamp(paths)
        if current != seen:
            replanned = seen is not None
            seen = current
            timed = schedules.load_all(paths, now)
            soonest = schedules.next_due(timed)
            missed = schedules.fired_since(paths, timed, since)
            end, said = start + wait, f"next beat in {wait}s{why}"
            if missed:
                end, said = now, f"schedule {missed} fell due during the last beat: next beat now"
            elif soonest and soonest[0] < end:
                end = max(now, soonest[0])
                said = f"next beat in {max(0, round(end - start))}s, when schedule {soonest[1]} is due"
            if replanned:
                say(f"schedules changed: {said}", "dim")
            elif summary:
                if not quiet:
                    say(f"{summary}; {said}", "dim")
            else:
                say(said, "dim")
            _record(paths, round(end - start), end, cadence)
        left = end - time.time()
        if left <= 0:
            return
        time.sleep(min(slice_s, left))


def _record(paths: Paths, wait: int, at: float, cadence: dict[str, int]) -> None:
    """What `looop status` shows: the wait this pulse really chose, and when."""
    import json

    from looop.core.fsio import atomic_write

    state = {"pid": os.getpid(), "wait_s": wait, "next_beat_epoch": round(at, 3),
             **{f"{k}_s": v for k, v in cadence.items()}}
    try:
        atomic_write(paths.pulse_state, json.dumps(state) + "\n", durable=False)
    except OSError:
        pass


def recorded(paths: Paths, pid: int | None) -> dict | None:
    """The running pulse's record, if `pid` is the pulse that wrote it."""
    from looop.core.fsio import read_json_object
    from looop.core.stamps import epoch

    state = read_json_object(paths.pulse_state)
    if not state or pid is None or state.get("pid") != pid:
        return None
    wait = state.get("wait_s")
    if isinstance(wait, bool) or not isinstance(wait, (int, float)) or not 0 <= wait <= 1e9:
        return None  # torn or hand-edited: status shows the configured interval instead
    return {**state, "next_beat_epoch": epoch(state.get("next_beat_epoch"))}
