"""What a worker costs: start-up, keystroke round trip, output throughput.

Each number is printed next to a baseline from the same run, a bare
ptyprocess child doing the same work, so the supervisor's and the control
socket's share is plain. Prints numbers, never asserts.

    python bench/fleet.py [--rounds N] [--mb MB]
"""

from __future__ import annotations

import argparse
import json
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, looop_argv, table  # noqa: E402
from ptyprocess import PtyProcess  # noqa: E402


class Profile:
    """A throwaway data dir whose one runner runs "$BENCH_CMD" as the worker."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="looop-bench-fleet-"))
        self.data = self.root / "data"
        config = self.root / "looop.json"
        config.write_text(json.dumps({"default": "bench", "runners": {
            "bench": {"tick": "true", "interactive": 'eval "$BENCH_CMD"'}}}))
        self.env = {**os.environ, "LOOOP_DATA_DIR": str(self.data), "LOOOP_CONFIG": str(config),
                    "LOOOP_TMUX_SURFACE": "0", "PYTHONPATH": str(ROOT), "HOME": str(self.root)}
        self.env.pop("LOOOP_FLEET_DIR", None)

    def looop(self, *args: str, cmd: str = "true") -> None:
        subprocess.run([*looop_argv(), *args], env={**self.env, "BENCH_CMD": cmd}, check=True,
                       stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)

    def status(self, wid: str) -> dict:
        try:
            return json.loads((self.data / "fleet" / "sessions" / f"looop-{wid}" / "status.json").read_text())
        except (OSError, ValueError):
            return {}

    def wait_state(self, wid: str, *states: str, timeout: float = 120.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            st = self.status(wid)
            if st.get("state") in states:
                return st
            time.sleep(0.005)
        raise SystemExit(f"bench: looop-{wid} never became {states}")

    def cleanup(self) -> None:
        subprocess.run([*looop_argv(), "prune"], env=self.env, stdout=subprocess.DEVNULL)
        shutil.rmtree(self.root, ignore_errors=True)


def read_until(proc: PtyProcess, needle: bytes, timeout: float = 10.0) -> None:
    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            raise SystemExit(f"bench: timed out waiting for {needle!r}")
        if select.select([proc.fd], [], [], left)[0]:
            seen = (seen + proc.read(65536))[-4096:]


def drain(proc: PtyProcess) -> None:
    while select.select([proc.fd], [], [], 0.05)[0]:
        try:
            proc.read(65536)
        except EOFError:
            return


# -- 1. start-up ----------------------------------------------------------------

def startup(p: Profile, rounds: int) -> tuple[list[float], list[float]]:
    fleet, bare = [], []
    for i in range(rounds):
        t = time.perf_counter()
        p.looop("start-session", f"up{i}", "bench", cmd="sleep 60")  # returns once it is running
        fleet.append(time.perf_counter() - t)
        p.looop("kill", "--grace", "1", f"up{i}")
        t = time.perf_counter()
        child = PtyProcess.spawn(["bash", "-lc", "echo ready; sleep 60"])
        read_until(child, b"ready")
        bare.append(time.perf_counter() - t)
        child.terminate(force=True)
    return fleet, bare


# -- 2. keystroke round trip -------------------------------------------------------

def roundtrip(proc: PtyProcess, rounds: int) -> list[float]:
    out = []
    for i in range(rounds):
        key = bytes([97 + i % 26])
        t = time.perf_counter()
        proc.write(key)
        read_until(proc, key, 5.0)
        out.append(time.perf_counter() - t)
    return out


def keystrokes(p: Profile, rounds: int) -> tuple[list[float], list[float]]:
    p.looop("start-session", "keys", "bench", cmd="exec cat >/dev/null")  # the PTY echoes each key
    attach = PtyProcess.spawn([*looop_argv(), "attach", "keys"], env=p.env)
    read_until(attach, b"detaches")
    drain(attach)
    fleet = roundtrip(attach, rounds)
    attach.write(b"\x1c\x1c")
    attach.wait()
    p.looop("kill", "--grace", "1", "keys")
    bare_child = PtyProcess.spawn(["bash", "-c", "exec cat >/dev/null"])
    time.sleep(0.1)
    bare = roundtrip(bare_child, rounds)
    bare_child.terminate(force=True)
    return fleet, bare


# -- 3. throughput ---------------------------------------------------------------

def flood_cmd(mb: int) -> str:
    return f"head -c {mb * 1_000_000} /dev/zero | tr '\\0' x"


def through_supervisor(p: Profile, wid: str, mb: int, attached: bool) -> float:
    client = None
    if attached:
        p.looop("start-session", wid, "bench", cmd=f"read -r _; {flood_cmd(mb)}")
        client = PtyProcess.spawn([*looop_argv(), "attach", wid], env=p.env)
        read_until(client, b"detaches")
        client.write(b"go\r")
    else:
        p.looop("start-session", wid, "bench", cmd=f"sleep 0.2; {flood_cmd(mb)}")
    running = p.wait_state(wid, "running")
    while True:  # read on, so a slow terminal is part of the measurement
        st = p.status(wid)
        if st.get("state") in ("exited", "killed"):
            break
        if client is not None:
            drain(client)
        else:
            time.sleep(0.01)
    seconds = st["ended_at"] - running["running_at"] - (0.2 if not attached else 0.0)
    if client is not None:
        client.terminate(force=True)
    return mb / seconds


def bare_pty(mb: int) -> float:
    t = time.perf_counter()
    child = PtyProcess.spawn(["bash", "-c", flood_cmd(mb)])
    while True:
        try:
            child.read(65536)
        except EOFError:
            break
    child.wait()
    return mb / (time.perf_counter() - t)


def rows(rounds: int = 5, mb: int = 50) -> list:
    """The fleet's figures in bench/run's table format."""
    p = Profile()
    try:
        med = statistics.median
        fleet, bare = startup(p, rounds)
        out = [("start-session to running (median)", med(fleet) * 1000, "ms",
                "bare ptyprocess child to first output", med(bare) * 1000)]
        fleet, bare = keystrokes(p, 100)
        q = lambda xs: sorted(xs)[int(len(xs) * 0.95) - 1]  # noqa: E731
        out.append(("keystroke to echo through attach (median)", med(fleet) * 1e6, "µs",
                    "bare ptyprocess child", med(bare) * 1e6))
        out.append(("keystroke to echo through attach (p95)", q(fleet) * 1e6, "µs", "bare ptyprocess child",
                    q(bare) * 1e6))
        alone = through_supervisor(p, "flood", mb, attached=False)
        watched = through_supervisor(p, "watched", mb, attached=True)
        bare_rate = bare_pty(mb)
        out.append((f"worker output through the supervisor ({mb} MB)", alone, "MB/s",
                    "bare ptyprocess child read by its parent", bare_rate))
        out.append(("  ... with one client attached", watched, "MB/s", "bare ptyprocess child read by its parent",
                    bare_rate))
        return out
    finally:
        p.cleanup()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--mb", type=int, default=50)
    args = ap.parse_args()
    table(rows(args.rounds, args.mb))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
