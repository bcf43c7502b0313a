"""What typed moves cost: a decided beat with a noop move, and the deny-list.

Targets (issue: typed moves): validating and executing a noop adds <= 10 ms to
a decided beat; the deny-list check of a 10 KB command takes <= 5 ms.
Prints numbers; asserts nothing. Run: python bench/moves.py [--runs N]
"""

from __future__ import annotations

import json
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import ROOT, Profile, looop_argv, table, timed

FAKE = str(ROOT / "fixtures" / "runners" / "fake-runner")


def _decided_ticks(configs: list[dict], runs: int) -> list[float]:
    """Median `looop tick` per config when every beat decides (a sensor whose signal
    always changes); the configs take turns, so a busy machine slows them alike."""
    profiles = [Profile() for _ in configs]
    try:
        for profile, config in zip(profiles, configs):
            profile.config.write_text(json.dumps(config))
            profile.sensors(1, "echo \"{\\\"signal\\\": \\\"$(date +%s%N)\\\"}\"")
            profile.run("tick")
        samples: list[list[float]] = [[] for _ in configs]
        for _ in range(runs):
            for n, profile in enumerate(profiles):
                samples[n].append(timed([*looop_argv(), "tick"], profile.env, 1))
        return [statistics.median(s) for s in samples]
    finally:
        for profile in profiles:
            profile.cleanup()


def _in_process(runs: int) -> tuple[float, float, float, int]:
    """(validate+execute a noop, the deny check of a 10 KB command, a 10 KB command that trips) medians."""
    from looop.core.paths import Paths
    from looop.moves import decision, deny
    from looop.moves.execute import execute

    with tempfile.TemporaryDirectory() as tmp:
        paths = Paths(data=Path(tmp), config=Path(tmp) / "looop.json", is_default_profile=False)
        decision.parse(b'{"move": "noop"}')  # warm: the schema validator compiles once per process
        samples = []
        for _ in range(max(runs, 50)):
            paths.decision.write_text('{"move": "noop", "reason": "bench"}\n')
            start = time.perf_counter()
            execute(paths, decision.take(paths.decision))
            samples.append(time.perf_counter() - start)
    line = "grep -n 'pattern' src/file.py | sort -u | head -20 && echo \"done $(date)\"; "
    command = line * (10240 // len(line) + 1)  # whole lines: a cut one would leave a quote open
    tripping = command + " sudo true"
    checks, trips = [], []
    for _ in range(max(runs, 30)):
        start = time.perf_counter()
        assert deny.check(command) is None
        checks.append(time.perf_counter() - start)
        start = time.perf_counter()
        assert deny.check(tripping)
        trips.append(time.perf_counter() - start)
    return statistics.median(samples), statistics.median(checks), statistics.median(trips), len(command)


def rows(runs: int = 15) -> list:
    agent = {"default": "fake", "runners": {"fake": {"tick": f"{FAKE} journal"}}}
    noop = shlex.quote('{"move": "noop", "reason": "bench"}')
    typed = {"default": "fake", "moves": "typed", "runners": {"fake": {"tick": f"{FAKE} decide {noop}"}}}
    t_agent, t_typed = _decided_ticks([agent, typed], runs)
    out = [("decided `looop tick`, typed noop move", t_typed, "s", "decided, agent runner journals", t_agent),
           (f"  typed minus agent: {1000 * (t_typed - t_agent):+.1f} ms", max(t_typed - t_agent, 0.0), "s",
            "target: adds <= 10 ms", 0.010)]
    execute_s, check_s, trip_s, size = _in_process(runs)
    out.append(("read + validate + execute + journal a noop (in process)", execute_s, "s", "target 10 ms", 0.010))
    out.append((f"deny-list check of a {size / 1024:.0f} KB command (passes)", check_s, "s", "target 5 ms", 0.005))
    out.append((f"deny-list check of a {size / 1024:.0f} KB command (trips at the end)", trip_s, "s",
                "target 5 ms", 0.005))
    return out


def main() -> None:
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 15
    table(rows(runs))


if __name__ == "__main__":
    main()
