"""How looop's cost grows with history (issue: scale).

A big data dir (1,000 goals, 100 sensors, a 1,000,000-line journal and a
1,000,000-row ledger) next to a small one (10 goals, 10 sensors, 10 lines,
10 rows): time and peak memory of an unchanged beat, building the prompt,
`status --json` and `cost`. Prints numbers; asserts nothing.
Run: python bench/scale.py [--lines N]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Profile, looop_argv, median_measure, table  # noqa: E402


def build(profile: Profile, goals: int, sensors: int, lines: int) -> None:
    profile.run("tick", "--dry-run")  # seed
    d = profile.data
    for i in range(goals):
        (d / "goals" / f"g{i:04}.md").write_text(f"# goal {i}\nkeep thing {i} healthy\n")
    profile.sensors(sensors, "echo '{\"signal\": {\"ok\": true}, \"detail\": {\"n\": 1}}'")
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - 86400 * 3))
    with open(d / "journal.md", "w") as fh:
        for i in range(lines):
            fh.write(f"- 2026-01-01 00:00 move {i}: kept goal g{i % 1000:04} healthy\n")
    with open(d / "cost.jsonl", "w") as fh:
        row = {"ts": stamp + ".000000Z", "kind": "tick", "id": "x", "runner": "pi", "cost_usd": 0.0012}
        line = json.dumps(row) + "\n"
        for _ in range(lines):
            fh.write(line)
    profile.run("tick")  # decide once, so the next beats are unchanged


def _truncate_history(profile: Profile, keep: int = 10) -> None:
    for name in ("journal.md", "cost.jsonl"):
        path = profile.data / name
        with open(path, "rb") as fh:
            head = b"".join(fh.readline() for _ in range(keep))
        path.write_bytes(head)


COMMANDS = (("unchanged beat", ["tick"]), ("build the prompt (tick --dry-run)", ["tick", "--dry-run"]),
            ("status --json", ["status", "--json"]), ("cost today", ["cost", "today"]),
            ("cost all (streams every row)", ["cost", "all"]))


def rows(lines: int = 1_000_000, runs: int = 3) -> list:
    """The big data dir with its long history, against itself with 10 lines."""
    profile = Profile()
    try:
        build(profile, 1000, 100, lines)
        long = {what: median_measure([*looop_argv(), *args], profile.env, runs) for what, args in COMMANDS}
        _truncate_history(profile)
        short = {what: median_measure([*looop_argv(), *args], profile.env, runs) for what, args in COMMANDS}
        out = []
        for what, _ in COMMANDS:
            label = f"{what} (1k goals, 100 sensors, {lines:,} lines)"
            out.append((label, long[what][0], "s", "the same with 10-line history", short[what][0]))
            out.append(("  peak RSS", long[what][1], "MB", "the same with 10-line history", short[what][1]))
        return out
    finally:
        profile.cleanup()


def main() -> None:
    lines = int(sys.argv[sys.argv.index("--lines") + 1]) if "--lines" in sys.argv else 1_000_000
    table(rows(lines))


if __name__ == "__main__":
    main()
