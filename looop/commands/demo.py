"""`looop demo`: watch a real beat and a skipped beat, with no LLM installed.

A throwaway data dir and config, a scripted runner in place of the LLM (it
reads the prompt on stdin like claude or pi would, and describes one typed
move), then a second beat that skips because the world did not change.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from pathlib import Path

from looop.commands import usage
from looop.core.fsio import append_line, atomic_write
from looop.core.log import say
from looop.core.paths import resolve


def demo() -> int:
    from looop.beat import Result, beat
    from looop.commands.tick import holding_the_lock
    from looop.core.color import paint

    root = Path(tempfile.mkdtemp(prefix="looop-demo-"))
    data, config_file = root / "data", root / "looop.json"
    config = {"default": "demo", "moves": "typed", "interval": 60, "busy_interval": 60, "active_interval": 60,
              "runners": {"demo": {"tick": '"$LOOOP_BIN" _demo-runner'}}}
    atomic_write(config_file, json.dumps(config, indent=2) + "\n")
    os.environ["LOOOP_DATA_DIR"] = str(data)
    os.environ["LOOOP_CONFIG"] = str(config_file)
    os.environ["XDG_STATE_HOME"] = str(root / "state")  # the gate's baseline too stays in the throwaway dir
    paths = resolve()

    say(f"demo: a throwaway loop in {root}", "bold")
    say("beat 1: a fresh data dir, so the world is new: the runner makes one move", "bold")
    with holding_the_lock(paths):
        first = beat(paths)
    say("beat 2: nothing changed since beat 1, so no LLM call", "bold")
    with holding_the_lock(paths):
        second = beat(paths)
    ok = first.result is Result.DECIDED and second.result is Result.UNCHANGED
    print()
    print(paint("What the loop left behind:", "bold"))
    for label, path in (("data dir", data), ("PLAYBOOK", paths.playbook), ("goals", paths.goals),
                        ("sensors", paths.sensors), ("journal", paths.journal),
                        ("replay of beat 1", first.run_dir), ("events", paths.events), ("config", config_file)):
        print(f"  {label:<17} {path}")
    from shlex import quote

    from looop.core.selfbin import user_command

    print(f"\nTry: LOOOP_CONFIG={quote(str(config_file))} {user_command(paths)} status")
    print(f"Remove it with: rm -rf {root}")
    return 0 if ok else 1


_STAMP = re.compile(r"^- (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) ", re.M)


def scripted_move(prompt: str) -> int:
    """Stand-in for an LLM: read the brief, 'do nothing', journal it."""
    stamp = _STAMP.search(prompt)
    when = stamp.group(1) if stamp else "????-??-?? ??:??"
    goals = re.findall(r"^--- (\S+\.md)$", prompt, re.M)
    print(f"read the brief: {len(prompt.splitlines())} lines, goals: {', '.join(goals) or 'none'}")
    data = Path(os.environ.get("LOOOP_DATA_DIR", "."))
    text = f"demo: read {len(goals)} goals; nothing to do in a demo, so no move"
    own = os.environ.get("LOOOP_DECISION", "")
    if own:  # typed moves: describe the move in this beat's decision file, looop makes and journals it
        print("the demo runner describes one move (a noop) in its decision file; looop checks it and journals it")
        atomic_write(data / own, json.dumps({"move": "noop", "journal": text}) + "\n")
        return 0
    print("the demo runner makes no real move: it only writes the journal line")
    append_line(data / "journal.md", f"- {when} {text}")
    return 0


class Demo(usage.Verb):
    def main(self) -> int:
        return demo()


class DemoRunner(usage.Verb):
    def main(self) -> int:
        return scripted_move(sys.stdin.read())
