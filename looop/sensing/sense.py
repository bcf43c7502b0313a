"""SENSE: run every sensor, concurrently, into this beat's snapshots.

Each sensor prints one JSON object. Anything else (a hang, a crash, garbage,
too many bytes) becomes a small error reading that says what went wrong, so
the AI sees the fault instead of noise and the beat still goes on.
"""

from __future__ import annotations

import hashlib
import os
import selectors
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path

from looop.sensing.readings import Reading, ReadingCache, check_reading, error_reading, reading_name, validate


def sensor_names(sensors_dir: Path) -> list[Path]:
    try:
        # A dangling symlink is listed too: it yields an error reading, not silence.
        return sorted(p for p in sensors_dir.glob("*.sh") if p.is_file() or p.is_symlink())
    except OSError:
        return []


ERR_MAX_BYTES = 65536  # a sensor's stderr kept in its `.err`; the rest is dropped
class _Live:
    """The groups of sensors running now, so an interrupt can stop them all at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.groups: set[int] = set()
        self.stopping = False

    def add(self, pgid: int) -> bool:
        with self.lock:
            if self.stopping:
                return False
            self.groups.add(pgid)
            return True

    def discard(self, pgid: int) -> None:
        with self.lock:
            self.groups.discard(pgid)

    def stop_all(self) -> None:
        from looop.core import procgroup

        with self.lock:
            self.stopping = True
            groups = list(self.groups)
        for pgid in groups:
            procgroup.send(pgid, signal.SIGKILL)


def _collect(proc: subprocess.Popen[bytes], ferr, timeout: float, max_bytes: int) -> tuple[bytes, str]:
    """Read the sensor's stdout (up to the cap) and stderr (kept up to ERR_MAX_BYTES)
    until both close; the problem when it ran over the cap or the time."""
    assert proc.stdout is not None and proc.stderr is not None
    limit = max_bytes + 1 if max_bytes else None
    out = bytearray()
    err_kept = 0
    deadline = time.monotonic() + timeout if timeout else None
    sel = selectors.DefaultSelector()
    for stream in (proc.stdout, proc.stderr):
        os.set_blocking(stream.fileno(), False)
        sel.register(stream, selectors.EVENT_READ)
    exited_at: float | None = None
    try:
        while sel.get_map():
            wait = 0.5 if deadline is None else max(0.0, min(0.5, deadline - time.monotonic()))
            for key, _ in sel.select(wait):
                try:
                    chunk = os.read(key.fd, 65536)
                except BlockingIOError:
                    continue
                if not chunk:
                    sel.unregister(key.fileobj)
                elif key.fileobj is proc.stdout:
                    out += chunk
                    if limit is not None and len(out) >= limit:
                        return bytes(out[:limit]), ""
                elif err_kept <= ERR_MAX_BYTES:
                    room = ERR_MAX_BYTES - err_kept
                    ferr.write(chunk[:room])
                    err_kept += min(room, len(chunk))
                    if len(chunk) > room:
                        ferr.write(f"\nlooop: stderr cut at {ERR_MAX_BYTES} bytes\n".encode())
                        err_kept = ERR_MAX_BYTES + 1  # the rest is drained, not kept
            if deadline is not None and time.monotonic() >= deadline:
                return bytes(out), f"timed out after {timeout:g}s and was killed (LOOOP_SENSOR_TIMEOUT)"
            if proc.poll() is not None:
                # Done: stray children of its group must not hold the pipes open.
                exited_at = exited_at or time.monotonic()
                from looop.core import procgroup

                procgroup.send(proc.pid, signal.SIGKILL)
                if time.monotonic() - exited_at > 2.0:
                    break
    finally:
        sel.close()
    return bytes(out), ""


def run_one(script: Path, out_dir: Path, env: dict[str, str], timeout: float, max_bytes: int, cwd: Path,
            live: _Live | None = None, wrap: list[str] | None = None) -> Reading:
    from looop.core import procgroup

    name, refused = reading_name(script)
    out = out_dir / f"sensor-{name}.json"
    err = out_dir / f"sensor-{name}.err"
    started = time.monotonic()
    problem = refused
    raw = b""
    if not problem and not os.path.exists(script):
        problem = "is a symlink to a file that does not exist"
    with open(err, "wb") as ferr:
        if not problem:
            try:
                proc = procgroup.spawn([*(wrap or ()), str(script)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, cwd=cwd, env=env)
            except PermissionError:
                problem = "is not executable (chmod +x it)"
            except OSError as exc:
                problem = f"could not start: {exc.strerror or exc}"
            else:
                try:
                    if live is not None and not live.add(proc.pid):
                        raise KeyboardInterrupt
                    raw, problem = _collect(proc, ferr, timeout, max_bytes)
                finally:
                    procgroup.kill(proc.pid, proc)
                    if live is not None:
                        live.discard(proc.pid)
                    proc.stdout.close()  # type: ignore[union-attr]
                    proc.stderr.close()  # type: ignore[union-attr]
                if problem:
                    ferr.write(f"\nlooop: {problem}\n".encode())
                elif max_bytes and len(raw) > max_bytes:
                    problem = check_reading(raw, max_bytes)
                elif proc.returncode:
                    code = proc.returncode
                    problem = f"exited with status {code}" if code > 0 else f"was killed by signal {-code}"
    seconds = time.monotonic() - started
    if not problem:
        problem = check_reading(raw, max_bytes)
    digest = hashlib.sha256(raw).hexdigest() if not problem else ""
    if problem:
        hint = None
        if "cap" in problem:
            hint = "emit a small normalised {signal, detail} snapshot, not raw API output"
        elif "exited" in problem or "timed out" in problem or "killed" in problem:
            hint = f"see snapshots/sensor-{name}.err"
        elif "rename" in problem or "symlink" in problem:
            hint = "fix the sensor's file in sensors/"
        out.write_bytes(error_reading(name, problem, hint))
    else:
        out.write_bytes(raw)
    if err.stat().st_size == 0:
        err.unlink()
    return Reading(sensor=name, ok=not problem, seconds=seconds, problem=problem, digest=digest)


_POOLS: dict[int, ThreadPoolExecutor] = {}


def _awake_until_done(futures: list[Future[Reading]]) -> list[Future[Reading]]:
    """Wait for every sensor, waking four times a second: a SIGTERM the kernel hands to a
    sensor's thread is run by the main thread only when it wakes, and a wait with no end
    would sleep through it until the slowest sensor ended."""
    pending = set(futures)
    while pending:
        _, pending = wait(pending, timeout=0.25)
    return futures


def _pool(jobs: int) -> ThreadPoolExecutor:
    """One pool per process: the pulse pays for its threads once, not per beat."""
    if jobs not in _POOLS:
        _POOLS[jobs] = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="sensor")
    return _POOLS[jobs]


Hand = Callable[[Path], tuple[list[str], dict[str, str]]]  # a script -> (its box's argv prefix, extra env)


def sense(sensors_dir: Path, out_dir: Path, env: dict[str, str], cwd: Path,
          cache: ReadingCache | None = None, sensor_cache: Path | None = None,
          on_done: Callable[[str], None] | None = None, hand_for: Hand | None = None) -> list[Reading]:
    """Wipe `out_dir`, run every sensors/*.sh concurrently, return the readings.

    With `sensor_cache`, a sensor declaring `# looop:interval=N` is run at most
    every N seconds; in between its last good reading is copied in instead.
    `on_done(name)` is told as each sensor ends (from its thread), for progress.
    `hand_for(script)` puts each sensor in its box (SPEC §19)."""
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    scripts = sensor_names(sensors_dir)
    if not scripts:
        return []
    from looop.core import knobs

    timeout = float(knobs.get("sensor_timeout", env=env))
    max_bytes = knobs.get("sensor_max_bytes", env=env)
    jobs = knobs.get("sensor_jobs", env=env)
    started = time.time()

    live = _Live()

    def one(script: Path) -> Reading:
        if sensor_cache is not None and not reading_name(script)[1]:
            from looop.sensing.sensor_cache import reuse

            kept = reuse(script, out_dir, sensor_cache, started)
            if kept is not None:
                raw = (out_dir / f"sensor-{script.name[:-3]}.json").read_bytes()
                return Reading(sensor=script.name[:-3], ok=True, seconds=0.0, digest=hashlib.sha256(raw).hexdigest(),
                               reused=f"reused, {kept[0]:.0f}s old of its {kept[1]}s interval")
        if hand_for is None:
            return run_one(script, out_dir, env, timeout, max_bytes, cwd, live)
        wrap, extra = hand_for(script)
        return run_one(script, out_dir, {**env, **extra}, timeout, max_bytes, cwd, live, wrap=wrap or None)

    def reported(script: Path) -> Reading:
        try:
            return one(script)
        finally:
            if on_done is not None:
                on_done(reading_name(script)[0])

    try:
        if len(scripts) == 1:
            readings = [reported(scripts[0])]
        else:
            futures = [_pool(jobs).submit(reported, s) for s in scripts]
            try:
                readings = [f.result() for f in _awake_until_done(futures)]
            except BaseException:
                for f in futures:
                    f.cancel()
                raise
    except BaseException:
        # Ctrl-C or SIGTERM while sensing: every running sensor stops now, not at its timeout.
        live.stop_all()
        raise
    validate(readings, out_dir, cache or ReadingCache(None))
    if sensor_cache is not None:
        _keep_for_later(scripts, readings, out_dir, sensor_cache, started)
    return readings


def _keep_for_later(scripts: list[Path], readings: list[Reading], out_dir: Path, cache_dir: Path,
                    started: float) -> None:
    from looop.sensing.sensor_cache import prune, store

    for script, r in zip(scripts, readings):
        if not r.reused and not reading_name(script)[1]:
            store(script, out_dir, cache_dir, r.ok, started)
    prune(cache_dir, {r.sensor for r in readings})
