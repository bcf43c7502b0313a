"""Wrong output made right: a `looop shell` running beside the pulse does not
make every beat call the runner on an unchanged world."""

from __future__ import annotations

import json
import subprocess
import time


def test_a_running_looop_shell_does_not_make_unchanged_beats_decide(loop):
    loop.fake("journal")
    loop.seed()
    assert loop.run("tick").returncode == 0
    calls = loop.calls()
    shell = subprocess.Popen(["sleep", "60"])  # stands for the `looop shell` process, still running
    try:
        (loop.data / ".shell-running.json").write_text(json.dumps(
            {"pid": shell.pid, "cmd": "make test", "ts": time.time(), "marker": "shell-x"}))
        for _ in range(3):
            assert loop.run("tick").returncode == 0
        assert loop.calls() == calls, "an unchanged world called the runner"
        assert (loop.data / ".shell-running.json").exists(), "a live shell's record is left alone"
    finally:
        shell.kill()
        shell.wait()
