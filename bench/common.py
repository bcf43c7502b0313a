"""Small helpers the benchmarks share: timing whole processes, a temp profile,
and a pulse that times its own beats.

`python bench/common.py timed-pulse OUT [BEATS]` (with a profile's environment)
runs the real pulse in that process at a cadence of 0 with a steady clock
around each beat, then the bare sensors in the same process, and writes both
to OUT as JSON (see TimedPulse).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def looop_argv() -> list[str]:
    script = Path(sys.executable).with_name("looop")
    if script.exists():
        return [str(script)]
    found = shutil.which("looop")
    return [found] if found else [sys.executable, "-m", "looop"]


def timed(argv: list[str], env: dict[str, str] | None = None, runs: int = 15, cwd: str | None = None) -> float:
    """Median wall seconds of running `argv` to completion."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


class Profile:
    """A throwaway data dir + config with a runner that only writes a journal line."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="looop-bench-"))
        self.data = self.root / "data"
        self.config = self.root / "looop.json"
        runner = str(ROOT / "fixtures" / "runners" / "fake-runner") + " journal"
        self.config.write_text(json.dumps({"default": "fake", "runners": {"fake": {"tick": runner}}}))
        self.env = {**os.environ, "LOOOP_DATA_DIR": str(self.data), "LOOOP_CONFIG": str(self.config),
                    "LOOOP_COLOR": "0", "HOME": str(self.root)}
        for key in [k for k in self.env if k.startswith("FAKE_")]:
            del self.env[key]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*looop_argv(), *args], env=self.env, capture_output=True, text=True)

    def sensors(self, count: int, body: str) -> None:
        d = self.data / "sensors"
        d.mkdir(parents=True, exist_ok=True)
        for old in d.glob("*.sh"):
            old.unlink()
        for i in range(count):
            path = d / f"s{i:02}.sh"
            path.write_text(f"#!/bin/sh\n{body}\n")
            path.chmod(0o755)

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


Row = tuple  # (measure, value, unit, baseline name, baseline value)


def measure(argv: list[str], env: dict[str, str] | None = None, cwd: str | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS in MiB) of one run of `argv`."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def median_measure(argv: list[str], env: dict[str, str] | None = None, runs: int = 5) -> tuple[float, float]:
    samples = [measure(argv, env) for _ in range(runs)]
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def table(rows: list[Row], out=None) -> None:
    """One table: measure, value, baseline, ratio."""
    out = out or sys.stdout
    print(f"{'measure':<74} {'value':>12}   {'baseline':<40} {'value':>12} {'ratio':>7}", file=out)
    for what, value, unit, base_name, base in rows:
        ratio = f"{value / base:7.2f}" if base else "      -"
        fmt = (lambda v, u=unit: f"{v:10.4f} {u:<1}") if unit == "s" else (lambda v, u=unit: f"{v:9.1f} {u:<2}")
        print(f"{what:<74} {fmt(value):>12}   {base_name:<40} {fmt(base) if base else '':>12} {ratio}", file=out)


def sensors_once(sensor_dir: Path) -> float:
    """Seconds to run every sensor alone, all at once: the floor a beat cannot beat."""
    scripts = sorted(sensor_dir.glob("*.sh"))
    start = time.perf_counter()
    with ThreadPoolExecutor(max(1, len(scripts))) as pool:
        list(pool.map(lambda s: subprocess.run([str(s)], stdout=subprocess.DEVNULL), scripts))
    return time.perf_counter() - start


def median(samples: list[float]) -> float:
    return statistics.median(samples) if samples else float("nan")


class TimedPulse:
    """The real pulse in a process of its own, timing each beat in that process
    (time.perf_counter around the beat call, not the gaps between beats, which
    the pulse's 1 s cadence floor would fill), then the sensors alone there too.

    `beats`: the pulse stops itself after that many; 0 runs until stop()."""

    def __init__(self, profile: Profile, beats: int = 0, env: dict[str, str] | None = None,
                 sensor_runs: int = 15) -> None:
        self.out = profile.root / "timed-pulse.json"
        self.out.unlink(missing_ok=True)
        argv = [sys.executable, str(Path(__file__).resolve()), "timed-pulse", str(self.out), str(beats),
                str(sensor_runs)]
        self.proc = subprocess.Popen(argv, env=env or profile.env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()

    def result(self, timeout: float = 600) -> dict:
        """{"beats": [[result, seconds], ...], "sensors": [seconds, ...]} once the pulse has ended."""
        _, err = self.proc.communicate(timeout=timeout)
        if not self.out.exists():
            raise RuntimeError(f"the timed pulse wrote nothing (exit {self.proc.returncode}): {err[-2000:]}")
        return json.loads(self.out.read_text())

    @staticmethod
    def seconds(result: dict, kind: str) -> list[float]:
        """The beats that ended as `kind` (a looop.beat.Result value: unchanged, decided, ...)."""
        return [s for k, s in result["beats"] if k == kind]


def _timed_pulse(out: Path, beats: int, sensor_runs: int) -> None:
    import looop.beat as pipeline
    from looop.beat import pulse
    from looop.core.paths import resolve

    paths = resolve()
    real = pipeline.beat
    samples: list[tuple[str, float]] = []

    def timed_beat(paths, **kw):
        start, ended = time.perf_counter(), "error"
        try:
            outcome = real(paths, **kw)
            ended = outcome.result.value
            return outcome
        finally:
            samples.append((ended, time.perf_counter() - start))
            if beats and len(samples) >= beats:
                raise pulse.Stop("the bench's beats are done")

    pipeline.beat = timed_beat
    pulse.next_wait = lambda *args, **kw: 0  # a cadence of 0: rest() still runs, and sleeps nothing
    pulse.run(paths, quiet=True)
    sensors = [sensors_once(paths.sensors) for _ in range(sensor_runs)]
    out.write_text(json.dumps({"beats": samples, "sensors": sensors}))


if __name__ == "__main__" and sys.argv[1:2] == ["timed-pulse"]:
    _timed_pulse(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
