"""A worker that deletes its own session dir stays in the fleet: its supervisor
restores the record, so `ls` shows it, the cap counts it and `kill` and `down`
still reach it."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from tests.fleet import kit


def _procs_of(loop, sid: str) -> list[int]:
    """Live processes carrying this loop's LOOOP_SESSION_ID=<sid> (the supervisor and the worker's)."""
    marks = (f"LOOOP_SESSION_ID={sid}".encode(), f"LOOOP_DATA_DIR={loop.env['LOOOP_DATA_DIR']}".encode())
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            env = Path(f"/proc/{entry}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if all(m in env for m in marks) and not kit.gone(int(entry)):
            found.append(int(entry))
    return found


def _alive_ids(loop) -> list[str]:
    return [s["id"] for s in kit.ls_json(loop)["sessions"] if s["alive"]]


def _start_a_worker_that_deletes_its_dir(loop) -> None:
    """Worker `a` deletes its session dir once start-session has answered; wait until `ls` shows it again."""
    gone_mark = loop.root / "deleted-it"
    go = loop.root / "go"
    script = (f"until [ -e {shlex.quote(str(go))} ]; do sleep 0.05; done; "
              f"rm -rf {shlex.quote(str(kit.session_dir(loop, 'a')))}; touch {shlex.quote(str(gone_mark))}")
    kit.start(loop, "a", "sh", script, "hang")
    go.touch()
    kit.wait_for(gone_mark.exists, what="the worker to delete its session dir")
    kit.wait_for(lambda: _alive_ids(loop) == ["looop-a"], what="`looop ls` to show the worker again")


def test_a_worker_deleting_its_session_dir_is_still_listed_capped_and_killed(loop):
    kit.use_fake_worker(loop)
    loop.env["LOOOP_MAX_WORKERS"] = "1"
    _start_a_worker_that_deletes_its_dir(loop)
    assert kit.status(loop, "a")["state"] == "running"
    assert _procs_of(loop, "looop-a"), "its supervisor and processes run on"

    refused = loop.run("start-session", "b", "one too many")
    assert refused.returncode == 1 and "fleet cap reached: 1 live worker (a)" in refused.stderr, refused.stderr

    out = loop.run("kill", "a")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "a killed" in out.stdout
    kit.wait_for(lambda: not _procs_of(loop, "looop-a"), what="every process of the worker to end")
    assert kit.status(loop, "a")["state"] == "killed"
    assert _alive_ids(loop) == []


def test_looop_down_stops_a_worker_that_deleted_its_session_dir(loop):
    kit.use_fake_worker(loop)
    loop.seed()
    _start_a_worker_that_deletes_its_dir(loop)
    out = loop.run("down")
    assert out.returncode == 0, out.stdout + out.stderr
    kit.wait_for(lambda: not _procs_of(loop, "looop-a"), what="every process of the worker to end")


def test_a_start_right_after_the_delete_is_still_refused_by_the_cap(loop):
    kit.use_fake_worker(loop)
    loop.env["LOOOP_MAX_WORKERS"] = "1"
    said = loop.root / "start-said"
    script = (f"rm -rf {shlex.quote(str(kit.session_dir(loop, 'a')))}; "
              f'"$LOOOP_BIN" start-session b escape >{shlex.quote(str(said))} 2>&1; echo "rc=$?" >>{shlex.quote(str(said))}')
    kit.start(loop, "a", "sh", script, "hang")
    kit.wait_for(lambda: "rc=" in (said.read_text() if said.exists() else ""), what="the worker's own start to end")
    text = said.read_text()
    assert "fleet cap reached: 1 live worker (a)" in text and "rc=1" in text, text
    assert not kit.session_dir(loop, "b").exists()
    kit.wait_for(lambda: _alive_ids(loop) == ["looop-a"], what="`looop ls` to show the worker again")
    assert loop.run("kill", "a").returncode == 0
