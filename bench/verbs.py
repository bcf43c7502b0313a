"""The read-only verbs on a month of history (SPEC §21): `sensor list` and
`goal list` next to `status`, in the same run, on a data dir holding what a
month at one beat a minute leaves: a 10 MB events.jsonl, 2,000 journal
lines, 30 goals, 20 sensors with their last readings, a month of spend, and
200 finished workers kept in fleet/finished/.

Target: each at the speed of `status` (~0.1 s); `looop version`, whose verb
module alone is imported from the verb table, within 1.1x of importing plumbum's
CLI (timed turn about with it). Prints numbers; asserts nothing.
Run: python bench/verbs.py [--runs N]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Profile, looop_argv, table


def _utc(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(epoch))


def month(profile: Profile) -> None:
    profile.sensors(20, "echo '{\"signal\": 1}'")
    assert profile.run("tick").returncode == 0  # seeds, reads every sensor once, decides once
    data, now = profile.data, time.time()
    for i in range(30):
        (data / "goals" / f"goal-{i:02}.md").write_text(f"# Goal {i}\n\nkeep thing {i} in shape\n")
    with open(data / "journal.md", "a") as journal:
        for i in range(2000):
            journal.write(f"- 2026-11-{1 + i // 70:02d} 09:{i % 60:02d} move {i}: did a thing for goal-{i % 30:02d}\n")
    with open(data / "events.jsonl", "w") as events:
        written, beat = 0, 0
        while written < 10 << 20:
            at = now - 30 * 86400 + beat * 60
            for line in (json.dumps({"ts": _utc(at), "event": "tick_start"}),
                         json.dumps({"ts": _utc(at + 0.2), "event": "sense_done", "sensors": 20, "failed": 0,
                                     "seconds": 0.2}),
                         json.dumps({"ts": _utc(at + 0.3), "event": "world_unchanged", "hash": "ab" * 32})):
                events.write(line + "\n")
                written += len(line) + 1
            beat += 1
    with open(data / "cost.jsonl", "w") as ledger:
        for i in range(1500):
            ledger.write(json.dumps({"ts": _utc(now - 30 * 86400 + i * 1700), "kind": "tick", "id": f"t{i}",
                                     "runner": "fake", "cost_usd": 0.01}) + "\n")
    finished = data / "fleet" / "finished"
    for i in range(200):
        ended = now - 6 * 86400 + i * 2500
        sdir = finished / f"{ended:.6f}-1" / f"looop-w{i:03}"
        sdir.mkdir(parents=True)
        (sdir / "meta.json").write_text(json.dumps({"started_epoch": ended - 600, "started_at": _utc(ended - 600),
                                                    "runner": "fake", "verify": "test -f reports/x.md"}))
        (sdir / "status.json").write_text(json.dumps({"state": "exited", "exit_code": i % 7 == 0 and 1 or 0,
                                                      "ended_at": ended}))
        (sdir / "verify.json").write_text(json.dumps({"result": "fail" if i % 5 == 0 else "pass", "exit_code": 0,
                                                      "ran_at": _utc(ended + 30), "tail": ""}))
        (sdir / "output.log").write_bytes(b"x" * 20_000)


def _interleaved(commands: list[list[str]], env: dict, runs: int) -> list[float]:
    """Medians of the commands timed turn about, so a busy machine hurts each alike."""
    samples: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for i, argv in enumerate(commands):
            start = time.perf_counter()
            subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            samples[i].append(time.perf_counter() - start)
    return [statistics.median(s) for s in samples]


def rows(runs: int = 15) -> list:
    profile = Profile()
    try:
        month(profile)
        looop = looop_argv()
        status, sensors, goals = _interleaved([[*looop, "status"], [*looop, "sensor", "list"],
                                               [*looop, "goal", "list"]], profile.env, runs)
        finished_ls, = _interleaved([[*looop, "ls"]], profile.env, runs)
        version, plumbum = _interleaved([[*looop, "version"], [sys.executable, "-c", "import plumbum.cli"]],
                                        profile.env, max(runs, 30))
        return [("`looop sensor list`, 20 sensors, a month of history (target ~ status)", sensors, "s",
                 "`looop status`, same data dir", status),
                ("`looop goal list`, 30 goals, a month of history (target ~ status)", goals, "s",
                 "`looop status`, same data dir", status),
                ("`looop ls`, 200 finished workers kept (target ~ status)", finished_ls, "s",
                 "`looop status`, same data dir", status),
                ("`looop version` (target <= 1.1x)", version, "s", "python -c 'import plumbum.cli'", plumbum)]
    finally:
        profile.cleanup()


def main() -> None:
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 15
    table(rows(runs))


if __name__ == "__main__":
    main()
