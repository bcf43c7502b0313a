"""What a beat costs (SPEC §14): unchanged beats, start-up, next to baselines.

Prints numbers; asserts nothing. Run: python bench/beat.py [--runs N]
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Profile, looop_argv, table, timed  # noqa: E402


def bare_sensors(profile: Profile, runs: int) -> float:
    """Run the sensors alone, all at once: the floor a beat cannot beat."""
    scripts = sorted((profile.data / "sensors").glob("*.sh"))

    def once() -> float:
        start = time.perf_counter()
        with ThreadPoolExecutor(len(scripts)) as pool:
            list(pool.map(lambda s: subprocess.run([str(s)], stdout=subprocess.DEVNULL), scripts))
        return time.perf_counter() - start

    samples = sorted(once() for _ in range(runs))
    return samples[len(samples) // 2]


def pulse_beat(profile: Profile, beats: int = 12) -> float:
    """Median seconds between unchanged beats inside a running pulse (0 s cadence)."""
    env = dict(profile.env, LOOOP_INTERVAL="0", LOOOP_BUSY_INTERVAL="0")
    events = profile.data / "events.jsonl"
    events.unlink(missing_ok=True)
    proc = subprocess.Popen(looop_argv(), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        starts: list[float] = []
        while time.monotonic() < deadline:
            time.sleep(0.05)
            try:
                lines = events.read_text().splitlines()
            except FileNotFoundError:
                continue
            recs = [json.loads(x) for x in lines if x.strip()]
            unchanged = [r for r in recs if r["event"] == "world_unchanged"]
            if len(unchanged) > beats:
                from datetime import datetime

                starts = [datetime.strptime(r["ts"], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
                          for r in recs if r["event"] == "tick_start"][-beats:]
                break
    finally:
        proc.terminate()
        proc.wait(10)
    gaps = sorted(b - a for a, b in zip(starts, starts[1:]))
    return gaps[len(gaps) // 2] if gaps else float("nan")


def fleet_rows(runs: int) -> list:
    """An unchanged beat with 8 live workers (health and all) next to one with none."""
    profile = Profile()
    cfg = json.loads(profile.config.read_text())
    cfg["runners"]["fake"]["interactive"] = "cat {{prompt_file}} >/dev/null; exec sleep 3600"
    profile.config.write_text(json.dumps(cfg))
    ids = [f"w{i}" for i in range(8)]
    try:
        profile.sensors(10, "echo '{\"signal\": 1}'")
        profile.run("tick")
        none = timed([*looop_argv(), "tick"], profile.env, runs)
        for wid in ids:
            assert profile.run("start-session", wid, "bench").returncode == 0
        profile.run("tick")  # the new workers are decided on once
        assert "world unchanged" in profile.run("tick").stdout
        eight = timed([*looop_argv(), "tick"], profile.env, runs)
    finally:
        for wid in ids:
            profile.run("kill", wid, "--grace", "1")
        profile.cleanup()
    return [("unchanged `looop tick`, 10 trivial sensors, 8 live workers", eight, "s",
             "the same with no workers (target <= 1.1x)", none)]


def rows(runs: int = 15) -> list:
    py = [sys.executable]
    rows = []
    base_pass = timed([*py, "-c", "pass"], runs=runs)
    base_cli = timed([*py, "-c", "import plumbum.cli"], runs=runs)
    profile = Profile()
    try:
        profile.run("tick")  # seed
        version = timed([*looop_argv(), "version"], runs=runs)
        rows.append(("looop version", version, "s", "python -c 'import plumbum.cli'", base_cli))
        rows.append(("looop version", version, "s", "python -c pass", base_pass))
        rows.append(("looop status --json", timed([*looop_argv(), "status", "--json"], profile.env, runs), "s",
                     "python -c 'import plumbum.cli'", base_cli))
        for label, body in (("10 trivial sensors", "echo '{\"signal\": 1}'"),
                            ("10 sensors sleeping 0.2 s", "sleep 0.2; echo '{\"signal\": 1}'")):
            profile.sensors(10, body)
            profile.run("tick")  # decide once; later beats see an unchanged world
            floor = bare_sensors(profile, runs)
            tick = timed([*looop_argv(), "tick"], profile.env, runs)
            assert "world unchanged" in profile.run("tick").stdout
            rows.append((f"unchanged `looop tick`, {label}", tick, "s", "the sensors alone, all at once", floor))
            if label.startswith("10 trivial"):
                rows.append((f"unchanged `looop tick`, {label}", tick, "s", "bash looop (SPEC §14, fixed)", 0.33))
            rows.append((f"unchanged beat in the pulse, {label}", pulse_beat(profile), "s",
                         "the sensors alone, all at once", floor))
    finally:
        profile.cleanup()
    return rows + fleet_rows(runs)


def main() -> None:
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 15
    table(rows(runs))
    print("\nSPEC §14 targets: unchanged one-shot tick (10 trivial sensors) <= 0.165 s (half the bash looop's 0.33 s);"
          " in the pulse <= 1.5x the sensors-alone floor; `looop version` <= 1.2x import plumbum.cli.")


if __name__ == "__main__":
    main()
