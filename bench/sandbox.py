"""What the box costs (issue: hands in a box).

A decided beat (a typed noop) with `sandbox: bwrap` against the same beat with
`sandbox: off`, the two taking turns in one run so a busy machine slows them
alike; and an unchanged beat with one sensor, boxed and not: boxed, that
beat pays only for its sensor's box (the probe once per process, one bwrap per
sensor), never for a decider's. Target: <= 20 ms added at the median.
Prints numbers; asserts nothing. Run: python bench/sandbox.py [--runs N]
"""

from __future__ import annotations

import json
import shlex
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import ROOT, Profile, looop_argv, table, timed

FAKE = str(ROOT / "fixtures" / "runners" / "fake-runner")


def _ticks(configs: list[dict], runs: int, changing: bool) -> list[float]:
    profiles = [Profile() for _ in configs]
    try:
        signal = "$(date +%s%N)" if changing else "steady"
        for profile, config in zip(profiles, configs):
            profile.config.write_text(json.dumps(config))
            profile.sensors(1, f"echo \"{{\\\"signal\\\": \\\"{signal}\\\"}}\"")
            profile.run("tick")
        samples: list[list[float]] = [[] for _ in configs]
        for _ in range(runs):
            for n, profile in enumerate(profiles):
                samples[n].append(timed([*looop_argv(), "tick"], profile.env, 1))
        return [statistics.median(s) for s in samples]
    finally:
        for profile in profiles:
            profile.cleanup()


def rows(runs: int = 15) -> list:
    from looop.box import bwrap

    exe, why = bwrap.find()
    if not exe:
        print(f"sandbox bench skipped: bwrap cannot run here ({why})")
        return []
    noop = shlex.quote('{"move": "noop", "reason": "bench"}')
    base = {"default": "fake", "moves": "typed", "runners": {"fake": {"tick": f"{FAKE} decide {noop}"}}}
    boxed, off = {**base, "sandbox": "bwrap"}, {**base, "sandbox": "off"}
    t_boxed, t_off = _ticks([boxed, off], runs, changing=True)
    agent = {"default": "fake", "runners": {"fake": {"tick": f"{FAKE} cost 0.01"}}}  # a verb through the door
    a_boxed, a_off = _ticks([{**agent, "sandbox": "bwrap"}, {**agent, "sandbox": "off"}], runs, changing=True)
    u_boxed, u_off = _ticks([boxed, off], runs, changing=False)
    return [("decided `looop tick` (typed noop), sandbox bwrap", t_boxed, "s", "the same, sandbox off", t_off),
            (f"  boxed minus unboxed: {1000 * (t_boxed - t_off):+.1f} ms", max(t_boxed - t_off, 0.0), "s",
             "target: adds <= 20 ms", 0.020),
            ("decided `looop tick` (agent, one `looop _cost`), sandbox bwrap", a_boxed, "s",
             "the same, sandbox off", a_off),
            ("unchanged `looop tick`, sandbox bwrap", u_boxed, "s", "the same, sandbox off", u_off)]


def main() -> None:
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 15
    table(rows(runs))


if __name__ == "__main__":
    main()
