"""What the mailbox costs (SPEC §15): 200 pending asks against none, and a
waiting `looop wait` in CPU time.

Prints numbers; asserts nothing. Run: python bench/mailbox.py [--runs N]
Targets: an unchanged beat with 200 pending asks <= 1.1x one with none;
`looop asks` with 200 pending <= 1.2x `looop version`; a waiting
`looop wait` <= 1% of a core.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Profile, looop_argv, table, timed

ASKS = 200


def _asks(profile: Profile, count: int) -> None:
    d = profile.data / "asks"
    d.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        rec = {"v": 1, "id": f"w{n}-1", "worker": f"w{n}", "prompt": f"Question {n}: merge it now?",
               "options": ["yes", "no"], "ts": "2026-01-01T00:00:00Z"}
        (d / f"w{n}-1.json").write_text(json.dumps(rec) + "\n")


def _wait_cpu(profile: Profile, seconds: float) -> float:
    """CPU seconds per wall second of a `looop wait` that has nothing to wake for."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from looop.core.locks import PulseLock

    lock = PulseLock(profile.data / ".lock")  # stands in for a running pulse
    assert lock.acquire()
    try:
        def cpu(timeout: float) -> float:
            proc = subprocess.Popen([*looop_argv(), "wait", "--timeout", str(timeout)], env=profile.env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, _, usage = os.wait4(proc.pid, 0)
            return usage.ru_utime + usage.ru_stime

        start_up = min(cpu(0.01) for _ in range(3))
        return max(0.0, cpu(seconds) - start_up) / seconds
    finally:
        lock.release()


def rows(runs: int = 15, wait_s: float = 20.0) -> list:
    out = []
    profile = Profile()
    # An installed looop has its bytecode: without it every run recompiles the
    # modules it imports, and a ratio measures source size, not the work.
    profile.env.pop("PYTHONDONTWRITEBYTECODE", None)
    try:
        profile.run("tick")  # seed and decide: later beats are unchanged
        profile.sensors(3, "echo '{\"signal\": 1}'")
        profile.run("tick")
        none = timed([*looop_argv(), "tick"], profile.env, runs)
        version = timed([*looop_argv(), "version"], profile.env, runs)
        _asks(profile, ASKS)
        profile.run("tick")  # the asks wake it once
        assert "world unchanged" in profile.run("tick").stdout
        many = timed([*looop_argv(), "tick"], profile.env, runs)
        out.append((f"unchanged `looop tick`, {ASKS} pending asks", many, "s", "the same with none", none))
        asks = timed([*looop_argv(), "asks"], profile.env, runs)
        out.append((f"`looop asks`, {ASKS} pending", asks, "s", "looop version", version))
        (profile.data / "answers").mkdir(exist_ok=True)
        for n in range(ASKS):  # answered: `wait` has nothing to return for
            (profile.data / "answers" / f"w{n}-1.json").write_text('{"v": 1, "answer": "yes", "ts": "2026-01-01T00:00:00Z"}\n')
        share = _wait_cpu(profile, wait_s)
        out.append((f"a waiting `looop wait` ({wait_s:g} s, {ASKS} answered asks)", share * 100, "%",
                    "1% of a core", 1.0))
    finally:
        profile.cleanup()
    return out


def main() -> None:
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 15
    table(rows(runs))
    print(f"\nSPEC §15 targets: unchanged beat with {ASKS} pending asks <= 1.1x none; `looop asks` with {ASKS} "
          "pending <= 1.2x `looop version`; a waiting `looop wait` <= 1% of a core.")


if __name__ == "__main__":
    main()
