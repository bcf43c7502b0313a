"""Hostile input never reaches a shell unquoted."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st

from looop.commands.tick import check_goal_id
from looop.core.errors import FatalError

PLAIN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


@given(st.text(max_size=40))
def test_goal_ids_are_plain_names_or_refused(goal):
    try:
        got = check_goal_id(goal)
    except FatalError as exc:
        assert exc.code == 1 and "not a plain name" in str(exc)
        return
    assert PLAIN.match(got) and ".." not in got and "/" not in got and not got.startswith("-")


HOSTILE = "we ird $(touch PWNED) `touch PWNED2` 'q' \"dq\" ; & |"


def test_a_hostile_data_dir_path_is_always_quoted(loop, tmp_path):
    data = tmp_path / HOSTILE / "data"
    env = {"LOOOP_DATA_DIR": str(data)}
    loop.fake("attention", "x", "journal")
    out = loop.run("tick", env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert loop.calls() == 1
    assert "attention: x" in out.stdout
    help_out = loop.call("help", env=env).stdout
    assert str(data) in help_out
    # the exact command the loop tells the human to type works in a shell
    loop.fake("propose", "p", "journal")
    (data / "goals" / "new.md").write_text("changed")
    out = loop.run("tick", env=env)
    cmd = re.search(r"review `(.+?) playbook diff`", out.stdout).group(1)
    shown = subprocess.run(["bash", "-c", f"{cmd} status --json"], capture_output=True, text=True,
                           env={k: v for k, v in loop.env.items() if k != "LOOOP_DATA_DIR"})
    assert json.loads(shown.stdout)["data_dir"] == str(data)
    assert not list(tmp_path.rglob("PWNED*")) and not list(loop.root.glob("PWNED*"))


@pytest.mark.parametrize("goal", ["$(touch PWNED)", "`touch PWNED`", "a;touch PWNED", "x' ; touch PWNED '"])
def test_hostile_goal_ids_run_nothing(loop, goal):
    loop.fake("journal")
    loop.seed()
    out = loop.run("run", goal)
    assert out.returncode == 1 and loop.calls() == 0
    assert not list(loop.root.rglob("PWNED*"))
