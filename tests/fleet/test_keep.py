"""A finished worker stays worker_log_keep (7 days) after the beat that showed it: its log, screen and
verify result in `ls`, `status` and `screenshot`, without waking the beat again."""

from __future__ import annotations

import json

from looop.core import schemas
from tests.fleet import kit


def test_a_shown_worker_is_kept_with_its_verify_result(loop):
    kit.use_fake_worker(loop, "journal")
    loop.seed()
    assert loop.run("start-session", "lazy", "do it", "--verify", "exit 4",
                    env={"FAKE_WORKER_MOVES": "say 'the last words' exit 0"}).returncode == 0
    kit.wait_state(loop, "lazy", "exited")
    assert loop.run("tick").returncode == 0 and loop.calls() == 1  # shows the verdict, then retires it
    assert not kit.session_dir(loop, "lazy").exists()
    out = loop.run("ls", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert schemas.problems("ls", data) == []
    assert [s["id"] for s in data["sessions"]] == []
    assert [(f["id"], f["verify"]["result"]) for f in data["finished"]] == [("looop-lazy", "fail")]
    human = loop.run("ls").stdout
    assert "FINISHED" in human and "lazy" in human and "verify fail (4)" in human
    status = json.loads(loop.call("status", "--json").stdout)
    assert status["finished"][0]["verify"] == "fail"
    assert "failed: lazy (verify fail)" in loop.call("status").stdout
    shot = loop.run("screenshot", "lazy")
    assert shot.returncode == 0 and "the last words" in shot.stdout

    assert loop.run("tick").returncode == 0 and loop.calls() == 1, "a kept worker never wakes the beat"
    kit.start(loop, "lazy", "exit", "0")  # its id is free again
    kit.wait_state(loop, "lazy", "exited")


def test_worker_log_keep_0_removes_them_as_before(loop):
    kit.use_fake_worker(loop, "journal", worker_log_keep=0)
    loop.seed()
    kit.start(loop, "brief", "exit", "0")
    kit.wait_state(loop, "brief", "exited")
    assert loop.run("tick").returncode == 0
    assert json.loads(loop.run("ls", "--json").stdout)["finished"] == []


def test_status_names_a_worker_as_the_user_types_it(loop):
    kit.use_fake_worker(loop, "journal")
    loop.seed()
    kit.start(loop, "setup", "hang")
    try:
        kit.wait_state(loop, "setup", "running")
        lines = [ln.strip() for ln in loop.call("status").stdout.splitlines()]
        assert any(ln.startswith("setup [running") for ln in lines), lines
        assert not any("looop-setup" in ln for ln in lines)
        assert "setup" in loop.run("ls").stdout.split()
    finally:
        loop.run("kill", "setup", "--grace", "1")
