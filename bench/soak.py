"""A soak: thousands of pulse beats at a 0-second cadence with a fake runner.

Samples the pulse's RSS and open file descriptors early and at the end, and
counts processes left behind after it stops (target: all flat / zero).
Run: python bench/soak.py [--beats N]
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Profile, looop_argv, table  # noqa: E402


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


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
        started = time.monotonic()
        pulse = subprocess.Popen(looop_argv(), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        early = None
        while _beats(events) < beats and pulse.poll() is None:
            time.sleep(0.5)
            if early is None and _beats(events) >= min(100, beats // 10):
                early = (_rss_mb(pulse.pid), _fds(pulse.pid))
        late = (_rss_mb(pulse.pid), _fds(pulse.pid))
        elapsed = time.monotonic() - started
        pulse.send_signal(signal.SIGTERM)
        pulse.wait(30)
        time.sleep(0.5)
        done = _beats(events)
        decided = sum(1 for line in events.read_text().splitlines() if json.loads(line)["event"] == "decided")
        early = early or late
        return [
            (f"pulse RSS after {done} beats ({decided} decided)", late[0], "MB", "after the first 100 beats", early[0]),
            (f"pulse open fds after {done} beats", float(late[1]), "fd", "after the first 100 beats", float(early[1])),
            ("processes left after the pulse stopped", float(_leftovers(f"LOOOP_DATA_DIR={profile.data}")), "n",
             "target", 0.0),
            ("seconds per beat, whole soak", elapsed / max(done, 1), "s", "", 0.0),
        ]
    finally:
        profile.cleanup()


def main() -> None:
    beats = int(sys.argv[sys.argv.index("--beats") + 1]) if "--beats" in sys.argv else 2000
    table(rows(beats))


if __name__ == "__main__":
    main()
