"""The data dir stays clean git: after beats and human verbs `git status` is
quiet, and a human verb's change is committed under its own message."""

from __future__ import annotations

import subprocess


def _git(loop, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=loop.data, capture_output=True, text=True, check=True).stdout


def test_beats_and_human_verbs_leave_git_status_clean_and_each_verb_its_own_commit(loop):
    loop.fake("journal", "beat move")
    loop.seed()
    (loop.data / "crash.log").write_text("a traceback\n")
    steps = [("tick",), ("goal", "write", "ship", "ship it"), ("tick",), ("schedule", "write", "daily", "--every", "1d"),
             ("tick",)]
    for step in steps:
        out = loop.run(*step)
        assert out.returncode == 0, (step, out.stdout + out.stderr)
        assert _git(loop, "status", "--porcelain") == "", (step, _git(loop, "status", "--porcelain"))
    log = _git(loop, "log", "--format=%s", "--name-only")
    assert "goals/ship.md" in log and "schedules/daily.json" in log
    for commit in log.split("\n\n"):
        if "goals/ship.md" in commit:
            assert "ship" in commit.splitlines()[0] and "beat move" not in commit.splitlines()[0], commit
