"""A soak: thousands of pulse beats at a 0-second cadence with a fake runner.

Samples the pulse's RSS and open file descriptors early and at the end, and
counts processes left behind after it stops (target: all flat / zero). Each
beat is timed inside the pulse (a steady clock around the beat call), next to
the sensors alone in that same process.
Run: python bench/soak.py [--beats N]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Profile, TimedPulse, median, table  # noqa: E402


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _resting(pid: int, samples: int = 10) -> tuple[float, int]:
    """(RSS, open fds) at their lowest over half a second: back to back, the
    beats always have a sensor or two in flight, so one sample is noise."""
    seen = []
    for _ in range(samples):
        seen.append((_rss_mb(pid), _fds(pid)))
        time.sleep(0.05)
    return min(s[0] for s in seen), min(s[1] for s in seen)


def _leftovers(marker: str) -> int:
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if marker.encode() in Path(f"/proc/{entry}/environ").read_bytes():
                    count += 1
            except OSError:
                pass
    return count


def _beats(events: Path) -> int:
    try:
        with open(events, "rb") as fh:
            return sum(1 for line in fh if b'"tick_start"' in line)
    except FileNotFoundError:
        return 0


def rows(beats: int = 2000) -> list:
    profile = Profile()
    try:
        profile.run("tick", "--dry-run")
        counter = profile.root / "count"
        # every 10th beat the world changes, so the runner runs 1 beat in 10
        profile.sensors(3, f'n=$(cat {counter} 2>/dev/null || echo 0); echo $((n+1)) > {counter}.$$ && '
                           f'mv -f {counter}.$$ {counter}; echo "{{\\"signal\\": $((n / 30))}}"')
        env = dict(profile.env, LOOOP_INTERVAL="0", LOOOP_BUSY_INTERVAL="0", LOOOP_ACTIVE_INTERVAL="0",
                   LOOOP_MAX_DECIDES_PER_HOUR="0")
        events = profile.data / "events.jsonl"
        pulse = TimedPulse(profile, env=env)
        early = None
        while _beats(events) < beats and pulse.proc.poll() is None:
            time.sleep(0.5)
            if early is None and _beats(events) >= min(100, beats // 10):
                early = _resting(pulse.proc.pid)
        late = _resting(pulse.proc.pid)
        pulse.stop()
        done = pulse.result()
        time.sleep(0.5)
        unchanged, decided = TimedPulse.seconds(done, "unchanged"), TimedPulse.seconds(done, "decided")
        floor = median(done["sensors"])
        early = early or late
        return [
            (f"pulse RSS after {len(done['beats'])} beats ({len(decided)} decided)", late[0], "MB",
             "after the first 100 beats", early[0]),
            (f"pulse open fds after {len(done['beats'])} beats", float(late[1]), "fd", "after the first 100 beats",
             float(early[1])),
            ("processes left after the pulse stopped", float(_leftovers(f"LOOOP_DATA_DIR={profile.data}")), "n",
             "target", 0.0),
            ("soak: unchanged beat, timed in the pulse (median)", median(unchanged), "s",
             "the sensors alone, all at once, same process", floor),
            ("soak: decided beat, timed in the pulse (median)", median(decided), "s",
             "the sensors alone, all at once, same process", floor),
        ]
    finally:
        profile.cleanup()


def main() -> None:
    beats = int(sys.argv[sys.argv.index("--beats") + 1]) if "--beats" in sys.argv else 2000
    table(rows(beats))


if __name__ == "__main__":
    main()
