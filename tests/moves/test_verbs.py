"""The human's verbs run the same executor: goal, sensor, playbook write, shell.

Each takes its text as words or on stdin (`-`), prints one line, journals it,
and refuses a bad id, an empty body or an oversize one with one line, exit 1.
"""

from __future__ import annotations

import os
import re

import pytest

STAMPED = re.compile(r"^- \d{4}-\d{2}-\d{2} \d{2}:\d{2} ")


def _one_line_refusal(out, needle: str) -> None:
    assert out.returncode == 1, out.stdout + out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], out.stderr
    assert "Traceback" not in out.stderr


def test_goal_write_from_words_and_from_stdin_then_archive(loop):
    loop.seed()
    out = loop.run("goal", "write", "fix-ci", "CI", "is", "red")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines() == [f"write-goal fix-ci (new); journaled: {loop.journal()[-1]}"]
    assert (loop.data / "goals/fix-ci.md").read_text() == "CI is red\n"
    assert STAMPED.match(loop.journal()[-1]) and loop.journal()[-1].endswith(" write-goal fix-ci (new)")

    out = loop.run("goal", "write", "fix-ci", "-", "--journal", "fix-ci: now with steps", input="# Fix CI\n1. look\n")
    assert out.returncode == 0, out.stderr
    assert (loop.data / "goals/fix-ci.md").read_text() == "# Fix CI\n1. look\n"
    assert loop.journal()[-1].endswith(" fix-ci: now with steps")

    out = loop.run("goal", "archive", "fix-ci")
    assert out.returncode == 0 and "archive-goal fix-ci" in out.stdout
    assert (loop.data / "goals/archive/fix-ci.md").is_file() and not (loop.data / "goals/fix-ci.md").exists()


@pytest.mark.parametrize("bad", ["a/b", "..", "../up", "two words", "$(touch pwned)", "-x"])
def test_bad_goal_ids_are_refused_with_one_line(loop, bad):
    loop.seed()
    journal = loop.journal()
    out = loop.run("goal", "write", "--", bad, "text")
    _one_line_refusal(out, "not a plain name")
    assert loop.journal() == journal
    assert not (loop.root / "pwned").exists() and not (loop.data / "pwned").exists()


def test_empty_and_oversize_bodies_are_refused(loop):
    loop.seed()
    journal = loop.journal()
    _one_line_refusal(loop.run("goal", "write", "g", "-", input="  \n"), "is empty")
    _one_line_refusal(loop.run("goal", "write", "g"), "is empty")
    _one_line_refusal(loop.run("goal", "write", "g", "-", input="x" * 10_000_000), "over the 65536-byte cap")
    _one_line_refusal(loop.run("playbook", "write", "-", input="x" * 70_000), "over the 65536-byte cap")
    assert not (loop.data / "goals/g.md").exists() and loop.journal() == journal


def test_archive_of_an_unknown_goal_names_the_goals(loop):
    loop.seed()
    _one_line_refusal(loop.run("goal", "archive", "nope"), "no goal 'nope'")


def test_sensor_write_runs_it_once_and_installs_only_a_good_one(loop):
    loop.seed()
    good = 'echo \'{"signal": {"disk": "ok"}}\''
    out = loop.run("sensor", "write", "disk", "-", input=good)
    assert out.returncode == 0, out.stderr
    assert os.access(loop.data / "sensors/disk.sh", os.X_OK)
    assert (loop.data / "sensors/disk.sh").read_text().startswith("#!/usr/bin/env bash\n")
    journal = loop.journal()
    _one_line_refusal(loop.run("sensor", "write", "junk", "echo", "not", "json"), "not JSON")
    _one_line_refusal(loop.run("sensor", "write", "two", "-", input="echo '{}{}'"), "more than one JSON value")
    _one_line_refusal(loop.run("sensor", "write", "big", "-", input="head -c 1048576 /dev/zero | tr '\\0' x"),
                      "over the 8192-byte cap")
    hang = loop.run("sensor", "write", "hang", "-", input="sleep 60", env={"LOOOP_SENSOR_TIMEOUT": "1"})
    _one_line_refusal(hang, "timed out after 1s")
    assert loop.journal() == journal
    assert not any((loop.data / "sensors" / f"{n}.sh").exists() for n in ("junk", "two", "big", "hang"))
    forced = loop.run("sensor", "write", "junk", "--force", "echo", "not", "json")
    assert forced.returncode == 0 and (loop.data / "sensors/junk.sh").exists()


def test_playbook_write_applies_directly_and_keeps_the_old_text_in_history(loop):
    loop.seed()
    old = (loop.data / "PLAYBOOK.md").read_text()
    out = loop.run("playbook", "write", "-", input="# My rules\nship on fridays\n")
    assert out.returncode == 0, out.stderr
    assert (loop.data / "PLAYBOOK.md").read_text() == "# My rules\nship on fridays\n"
    assert not (loop.data / "PLAYBOOK.proposed.md").exists()
    history = loop.run("playbook", "history")
    assert "replaced by `looop playbook write`" in history.stdout
    kept = sorted((loop.data / "playbook.d").iterdir())
    assert kept[-1].read_text() == old
    loop.fake("journal")
    assert loop.run("tick").returncode == 0
    assert (loop.data / "PLAYBOOK.md").read_text() == "# My rules\nship on fridays\n", "the gate keeps it live"


def test_shell_runs_shows_output_and_journals(loop):
    loop.seed()
    out = loop.run("shell", "echo", "hello;", "echo", "world")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[:2] == ["hello", "world"]
    assert loop.journal()[-1].endswith(" run-shell: echo hello; echo world")
    assert not (loop.data / ".last-shell.json").exists(), "the human saw it already"
    out = loop.run("shell", "-", "--journal", "checked the disk", input="df -h . >/dev/null")
    assert out.returncode == 0 and loop.journal()[-1].endswith(" checked the disk")


def test_shell_refuses_the_deny_list_unless_turned_off(loop):
    loop.seed()
    journal = loop.journal()
    _one_line_refusal(loop.run("shell", "--", "echo ok && sudo true"), "deny-list: sudo")
    _one_line_refusal(loop.run("shell", "--", "exit 4"), "run_shell exited 4")
    assert loop.journal() == journal
    fake_sudo = loop.root / "bin"
    fake_sudo.mkdir()
    (fake_sudo / "sudo").write_text("#!/bin/sh\necho pretend\n")
    (fake_sudo / "sudo").chmod(0o755)
    out = loop.run("shell", "--", "sudo", env={"LOOOP_SHELL_ALLOW_DANGEROUS": "1",
                                               "PATH": f"{fake_sudo}:{os.environ['PATH']}"})
    assert out.returncode == 0 and "pretend" in out.stdout, out.stderr


def test_the_new_verbs_are_in_help_and_completion(loop):
    manual = loop.run("help").stdout
    for verb in ("looop goal write", "looop goal archive", "looop sensor write", "looop playbook write", "looop shell"):
        assert verb in manual
    words = loop.run("_complete", "--").stdout.split()
    assert {"goal", "sensor", "shell"} <= set(words)
    assert loop.run("_complete", "--", "goal").stdout.split()[:2] == ["write", "archive"]


def test_a_bad_shell_timeout_is_one_line_and_runs_nothing(loop):
    loop.seed()
    out = loop.run("shell", "touch", "ran", env={"LOOOP_SHELL_TIMEOUT": "soon"})
    assert out.returncode == 2 and out.stderr.strip().startswith("looop: LOOOP_SHELL_TIMEOUT='soon': must be a whole number")
    assert not (loop.data / "ran").exists()
