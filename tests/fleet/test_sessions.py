"""A session's files: metadata, status, the bounded log, the control socket."""

from __future__ import annotations

import os
import signal
import stat
import time

from looop.core.locks import pid_alive
from tests.fleet import kit


def test_metadata_and_status_follow_the_worker_to_its_end(loop):
    kit.use_fake_worker(loop)
    kit.start(loop, "life", "ask", "exit", "3")
    meta = kit.meta(loop, "life")
    assert meta["cwd"] == str(loop.data)
    assert str(kit.FAKE_WORKER) in meta["cmd"] and "looop-life.md" in meta["cmd"]
    assert meta["runner"] == "fake"
    assert time.strftime("%Y-%m-%dT", time.gmtime()) in meta["started_at"]
    assert pid_alive(meta["supervisor_pid"])
    running = kit.wait_state(loop, "life", "running")
    assert pid_alive(running["worker_pid"])
    assert running["exit_code"] is None and running["note"] is None

    term = kit.Term(loop, "attach", "life")
    try:
        term.expect("Ctrl-\\ twice")
        term.send("go\r")
        assert term.wait() == 3
    finally:
        term.close()
    done = kit.wait_state(loop, "life", "exited")
    assert done["exit_code"] == 3
    [row] = kit.ls_json(loop)["sessions"]
    assert (row["state"], row["alive"], row["exit_code"]) == ("exited", False, 3)
    kit.wait_for(lambda: kit.gone(meta["supervisor_pid"]), what="the supervisor to end")


def test_the_output_log_stays_bounded(loop):
    kit.use_fake_worker(loop)
    cap = 65536
    kit.start(loop, "loud", "flood", "3000000", env={"LOOOP_WORKER_LOG_BYTES": str(cap)})
    kit.wait_state(loop, "loud", "exited", timeout=60)
    d = kit.session_dir(loop, "loud")
    sizes = [p.stat().st_size for p in (d / "output.log", d / "output.log.1")]
    assert all(s <= cap for s in sizes), sizes
    assert "flood done" in kit.log_text(loop, "loud")  # the end is always kept


def test_the_control_socket_is_owner_only(loop):
    kit.use_fake_worker(loop)
    kit.start(loop, "priv", "hang")
    ctl = kit.session_dir(loop, "priv") / "ctl"
    assert stat.S_IMODE(ctl.stat().st_mode) == 0o700
    sock = ctl / "sock"
    assert stat.S_ISSOCK(sock.stat().st_mode)
    assert stat.S_IMODE(sock.stat().st_mode) == 0o600


def test_a_worker_whose_supervisor_was_killed_is_dead_and_pruned(loop):
    kit.use_fake_worker(loop)
    kit.start(loop, "doomed", "hang")
    worker_pid = kit.wait_state(loop, "doomed", "running")["worker_pid"]
    os.kill(kit.meta(loop, "doomed")["supervisor_pid"], signal.SIGKILL)
    [row] = kit.wait_for(lambda: [r for r in kit.ls_json(loop)["sessions"] if r["state"] == "dead"],
                         what="the session to read as dead")
    assert row["alive"] is False
    assert "dead" in loop.call("ls").stdout
    out = loop.call("prune")
    assert out.returncode == 0 and out.stdout.strip().endswith(": doomed")
    assert not kit.session_dir(loop, "doomed").exists()
    assert kit.ls_json(loop)["sessions"] == []
    kit.wait_for(lambda: kit.gone(worker_pid), what="the orphaned worker to be gone")
    assert {"event": "session_pruned", "session": "looop-doomed"}.items() <= loop.events()[-1].items()


def test_a_fleet_path_longer_than_a_socket_address_still_works(loop):
    root = loop.root / ("f" * 60) / ("g" * 60)
    loop.env["LOOOP_FLEET_DIR"] = str(root)
    assert len(str(root / "sessions" / "looop-far" / "ctl" / "sock")) > 108
    kit.use_fake_worker(loop)
    kit.start(loop, "far", "echo")
    term = kit.Term(loop, "attach", "far")
    try:
        term.send("over here\r")
        term.expect("echo: over here")
        term.send(b"\x1c\x1c")
        assert term.wait() == 0
    finally:
        term.close()
    out = loop.run("kill", "far")
    assert out.returncode == 0 and "far killed" in out.stdout
    assert kit.status(loop, "far")["state"] == "killed"


def test_a_supervisor_told_to_stop_takes_its_worker_down_cleanly(loop):
    """SIGTERM to the supervisor (a shutdown, a tidy-up) ends the worker and says so."""
    kit.use_fake_worker(loop)
    kit.start(loop, "tidy", "hang")
    worker_pid = kit.wait_state(loop, "tidy", "running")["worker_pid"]
    os.kill(kit.meta(loop, "tidy")["supervisor_pid"], signal.SIGTERM)
    st = kit.wait_state(loop, "tidy", "killed")
    assert st["exit_code"] == 143
    kit.wait_for(lambda: kit.gone(worker_pid), what="the worker to be gone")
