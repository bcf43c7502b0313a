"""SENSE: run every sensor, concurrently, into this beat's snapshots.

Each sensor prints one JSON object. Anything else (a hang, a crash, garbage,
too many bytes) becomes a small error reading that says what went wrong, so
the AI sees the fault instead of noise and the beat still goes on.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Reading:
    sensor: str
    ok: bool
    seconds: float
    problem: str = ""
    digest: str = ""
    reused: str = ""  # why an earlier reading stands in for a run (`# looop:interval=`)


def sensor_names(sensors_dir: Path) -> list[Path]:
    try:
        return sorted(p for p in sensors_dir.glob("*.sh") if p.is_file())
    except OSError:
        return []


def error_reading(sensor: str, problem: str, hint: str | None = None) -> bytes:
    body: dict[str, object] = {"sensor": sensor, "problem": problem}
    body["hint"] = hint or (
        "a sensor must print exactly one small JSON object, e.g. "
        '{"signal": {...what should wake the loop...}, "detail": {...context...}}'
    )
    return (json.dumps({"looop_error": body}, ensure_ascii=False) + "\n").encode()


def check_reading(raw: bytes, max_bytes: int) -> str:
    """Why `raw` is not one acceptable reading, or '' when it is."""
    if max_bytes and len(raw) > max_bytes:
        return f"printed {len(raw)} bytes, over the {max_bytes}-byte cap (LOOOP_SENSOR_MAX_BYTES)"
    if not raw.strip():
        return "printed nothing"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"printed invalid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
    decoder = json.JSONDecoder()
    text = text.strip()
    try:
        value, end = decoder.raw_decode(text)
    except json.JSONDecodeError as exc:
        return f"printed text that is not JSON (line {exc.lineno} column {exc.colno}: {exc.msg})"
    rest = text[end:].strip()
    if rest:
        try:
            decoder.raw_decode(rest)
            return "printed more than one JSON value; print exactly one object"
        except json.JSONDecodeError:
            return "printed JSON followed by extra text"
    if not isinstance(value, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(type(value), "a number")
        return f"printed {kind}, not a JSON object"
    return ""


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_one(script: Path, out_dir: Path, env: dict[str, str], timeout: float, max_bytes: int, cwd: Path) -> Reading:
    name = script.name[: -len(".sh")]
    out = out_dir / f"sensor-{name}.json"
    err = out_dir / f"sensor-{name}.err"
    started = time.monotonic()
    problem = ""
    with open(out, "wb") as fout, open(err, "wb") as ferr:
        try:  # raw Popen, not looop.cmd: a sensor gets its own process group, killed whole on timeout
            proc = subprocess.Popen(
                [str(script)], stdin=subprocess.DEVNULL, stdout=fout, stderr=ferr,
                cwd=cwd, env=env, start_new_session=True,
            )
        except PermissionError:
            problem = "is not executable (chmod +x it)"
        except OSError as exc:
            problem = f"could not start: {exc.strerror or exc}"
        else:
            try:
                code = proc.wait(timeout=timeout or None)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                proc.wait()
                problem = f"timed out after {timeout:g}s and was killed (LOOOP_SENSOR_TIMEOUT)"
                ferr.write(f"\nlooop: {problem}\n".encode())
            else:
                # The sensor is done; stray children in its group must not
                # keep writing into the next beat's files.
                _kill_group(proc)
                if code != 0:
                    problem = f"exited with status {code}" if code > 0 else f"was killed by signal {-code}"
    seconds = time.monotonic() - started
    if not problem:
        raw = out.read_bytes()
        problem = check_reading(raw, max_bytes)
        digest = hashlib.sha256(raw).hexdigest() if not problem else ""
    else:
        digest = ""
    if problem:
        hint = None
        if "over the" in problem:
            hint = "emit a small normalised {signal, detail} snapshot, not raw API output"
        elif "exited" in problem or "timed out" in problem or "killed" in problem:
            hint = f"see snapshots/sensor-{name}.err"
        out.write_bytes(error_reading(name, problem, hint))
    if err.stat().st_size == 0:
        err.unlink()
    return Reading(sensor=name, ok=not problem, seconds=seconds, problem=problem, digest=digest)


class ReadingCache:
    """Digests of readings already validated, so an unchanged world skips jsonschema."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._known: set[str] = set()
        self._loaded = False
        self._dirty = False

    def _load(self) -> None:
        if self._loaded or self.path is None:
            return
        self._loaded = True
        try:
            self._known = set(self.path.read_text().split())
        except (OSError, UnicodeDecodeError):
            self._known = set()

    def __contains__(self, digest: str) -> bool:
        self._load()
        return digest in self._known

    def add(self, digest: str) -> None:
        self._load()
        if digest not in self._known:
            self._known.add(digest)
            self._dirty = True

    def keep_only(self, digests: set[str]) -> None:
        self._load()
        if self._known != digests:
            self._known = set(digests)
            self._dirty = True

    def save(self) -> None:
        if self._dirty and self.path is not None:
            from looop.fsio import atomic_write

            try:
                atomic_write(self.path, "".join(f"{d}\n" for d in sorted(self._known)))
            except OSError:
                pass
            self._dirty = False


def _validate(readings: list[Reading], out_dir: Path, cache: ReadingCache) -> None:
    """Schema-check readings whose bytes were not seen valid before."""
    fresh = [r for r in readings if r.ok and r.digest not in cache]
    if fresh:
        from looop import schemas

        for r in fresh:
            path = out_dir / f"sensor-{r.sensor}.json"
            found = schemas.problems("reading", json.loads(path.read_bytes()))
            if found:
                r.ok, r.problem = False, f"does not match the reading schema: {found[0]}"
                path.write_bytes(error_reading(r.sensor, r.problem))
            else:
                cache.add(r.digest)
    cache.keep_only({r.digest for r in readings if r.ok})
    cache.save()


_POOLS: dict[int, ThreadPoolExecutor] = {}


def _pool(jobs: int) -> ThreadPoolExecutor:
    """One pool per process: the pulse pays for its threads once, not per beat."""
    if jobs not in _POOLS:
        _POOLS[jobs] = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="sensor")
    return _POOLS[jobs]


def sense(sensors_dir: Path, out_dir: Path, env: dict[str, str], cwd: Path,
          cache: ReadingCache | None = None, sensor_cache: Path | None = None,
          on_done: Callable[[str], None] | None = None) -> list[Reading]:
    """Wipe `out_dir`, run every sensors/*.sh concurrently, return the readings.

    With `sensor_cache`, a sensor declaring `# looop:interval=N` is run at most
    every N seconds; in between its last good reading is copied in instead.
    `on_done(name)` is told as each sensor ends (from its thread), for progress."""
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    scripts = sensor_names(sensors_dir)
    if not scripts:
        return []
    from looop import knobs

    timeout = float(knobs.get("sensor_timeout", env=env))
    max_bytes = knobs.get("sensor_max_bytes", env=env)
    jobs = knobs.get("sensor_jobs", env=env)
    started = time.time()

    def one(script: Path) -> Reading:
        if sensor_cache is not None:
            from looop.sensor_cache import reuse

            kept = reuse(script, out_dir, sensor_cache, started)
            if kept is not None:
                raw = (out_dir / f"sensor-{script.name[:-3]}.json").read_bytes()
                return Reading(sensor=script.name[:-3], ok=True, seconds=0.0, digest=hashlib.sha256(raw).hexdigest(),
                               reused=f"reused, {kept[0]:.0f}s old of its {kept[1]}s interval")
        return run_one(script, out_dir, env, timeout, max_bytes, cwd)

    def reported(script: Path) -> Reading:
        try:
            return one(script)
        finally:
            if on_done is not None:
                on_done(script.name[: -len(".sh")])

    if len(scripts) == 1:
        readings = [reported(scripts[0])]
    else:
        readings = list(_pool(jobs).map(reported, scripts))
    _validate(readings, out_dir, cache or ReadingCache(None))
    if sensor_cache is not None:
        _keep_for_later(scripts, readings, out_dir, sensor_cache, started)
    return readings


def _keep_for_later(scripts: list[Path], readings: list[Reading], out_dir: Path, cache_dir: Path,
                    started: float) -> None:
    from looop.sensor_cache import prune, store

    for script, r in zip(scripts, readings):
        if not r.reused:
            store(script, out_dir, cache_dir, r.ok, started)
    prune(cache_dir, {r.sensor for r in readings})
