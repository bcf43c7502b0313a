"""`looop run <goal>`: a forced move, now, for one goal."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("bad", ["../etc/passwd", "a/b", "..", "-rf", "has space", "it's", "$(touch pwned)",
                                 '"q"', "a..b", ""])
def test_goal_ids_are_plain_names(loop, bad):
    loop.fake("journal")
    loop.seed()
    out = loop.run("run", "--", bad) if bad.startswith("-") else loop.run("run", bad)
    assert out.returncode != 0
    assert "Traceback" not in out.stderr
    assert loop.calls() == 0
    assert not (loop.root / "pwned").exists() and not (loop.data / "pwned").exists()


def test_unknown_goal_lists_the_available_ones(loop):
    loop.fake("journal")
    loop.seed()
    out = loop.run("run", "nope")
    assert out.returncode == 1
    assert "setup" in out.stderr and "playbook-daily" in out.stderr
    assert out.stderr.count("\n") == 1


def test_manual_run_decides_even_when_unchanged(loop):
    loop.fake("journal")
    loop.run("tick")
    loop.run("tick")
    assert loop.calls() == 1
    snap_before = sorted(p.name for p in (loop.data / "snapshots").iterdir())
    out = loop.run("run", "setup")
    assert out.returncode == 0, out.stdout + out.stderr
    assert loop.calls() == 2
    prompt = loop.prompt_copy.read_text()
    assert prompt.startswith("=== MANUAL RUN: goal setup ===")
    assert "--- sensor-today.json" in prompt
    # its readings went to a private dir: the pulse's snapshots are untouched
    assert sorted(p.name for p in (loop.data / "snapshots").iterdir()) == snap_before
    assert loop.calls_file.read_text().splitlines()[-1] == "goal setup"
    assert "manual_run" in loop.event_names()


def test_archived_goals_can_be_run(loop):
    loop.fake("archive", "setup", "journal")
    loop.run("tick")
    assert (loop.data / "goals/archive/setup.md").exists()
    assert loop.run("run", "setup").returncode == 0
    assert loop.run("run", "setup.md").returncode == 0


def test_failed_manual_run_exits_nonzero(loop):
    loop.fake("fail")
    loop.seed()
    assert loop.run("run", "setup").returncode == 1
