"""What time costs a beat (SPEC §17): an unchanged beat with 100 schedules
and 8 live workers, next to the same beat with none, in the same run.

Target: at most 1.1x. Prints numbers; asserts nothing.
Run: python bench/schedules.py [--runs N]
"""

from __future__ import annotations

import json
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, Profile, looop_argv, table


def _interleaved(a: tuple[list[str], dict], b: tuple[list[str], dict], runs: int) -> tuple[float, float]:
    """Medians of two commands timed turn about, so a busy machine hurts both alike."""
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for i, (argv, env) in enumerate((a, b)):
            start = time.perf_counter()
            subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            samples[i].append(time.perf_counter() - start)
    return statistics.median(samples[0]), statistics.median(samples[1])


def _schedules(profile: Profile, count: int) -> None:
    kinds = (("--every", "1d"), ("--cron", "0 9 * * 1-5"), ("--in", "30d"), ("--at", "2000-01-01T00:00"))
    for i in range(count):
        flag, value = kinds[i % len(kinds)]
        profile.run("schedule", "write", f"s{i:03}", flag, value)


def _workers(profile: Profile, count: int) -> None:
    worker = shlex.quote(str(ROOT / "fixtures" / "runners" / "fake-worker"))
    cfg = json.loads(profile.config.read_text())
    cfg["runners"]["fake"]["interactive"] = f"{worker} {{{{prompt_file}}}}"
    profile.config.write_text(json.dumps(cfg))
    env = dict(profile.env, FAKE_WORKER_MOVES="hang")
    for i in range(count):
        subprocess.run([*looop_argv(), "start-session", f"w{i}", "wait"], env=env, check=False, capture_output=True)


def rows(runs: int = 15) -> list:
    bare, busy = Profile(), Profile()
    try:
        for p in (bare, busy):
            p.sensors(10, "echo '{\"signal\": 1}'")
        _schedules(busy, 100)
        _workers(busy, 8)
        for p in (bare, busy):
            p.run("tick")  # decide once; later beats see an unchanged world
            assert "world unchanged" in p.run("tick").stdout, p.run("tick").stdout
        plain, timed = _interleaved(([*looop_argv(), "tick"], bare.env), ([*looop_argv(), "tick"], busy.env), runs)
        return [("unchanged `looop tick`, 100 schedules + 8 workers (target <= 1.1x)", timed, "s",
                 "the same beat with none", plain)]
    finally:
        busy.run("down", "--grace", "1")
        bare.cleanup()
        busy.cleanup()


def main() -> None:
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 15
    table(rows(runs))


if __name__ == "__main__":
    main()
