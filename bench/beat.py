"""What a beat costs (SPEC §14): unchanged beats, start-up, next to baselines.

Prints numbers; asserts nothing. Run: python bench/beat.py [--runs N]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Profile, TimedPulse, looop_argv, median, sensors_once, table, timed  # noqa: E402


def bare_sensors(profile: Profile, runs: int) -> float:
    """Run the sensors alone, all at once: the floor a beat cannot beat."""
    return median([sensors_once(profile.data / "sensors") for _ in range(runs)])


def pulse_beat(profile: Profile, runs: int, beats: int = 12) -> tuple[float, float]:
    """(median seconds of an unchanged beat inside a running pulse, timed in the
    pulse's process; median seconds of the sensors alone in that same process)."""
    done = TimedPulse(profile, beats=beats + 1, sensor_runs=runs).result()
    return median(TimedPulse.seconds(done, "unchanged")), median(done["sensors"])


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
            in_pulse, floor_there = pulse_beat(profile, runs)
            rows.append((f"unchanged beat in the pulse (timed in it), {label}", in_pulse, "s",
                         "the sensors alone, all at once, same process", floor_there))
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
