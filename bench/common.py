"""Small helpers the benchmarks share: timing whole processes, a temp profile."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
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
