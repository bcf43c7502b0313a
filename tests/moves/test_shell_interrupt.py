"""A slow run_shell says it still runs; Ctrl-C stops it but keeps the move on record; kill -9 of looop
leaves none of the command's processes behind."""

from __future__ import annotations

import json
import os
import signal

from looop.core.locks import pid_alive
from tests.helpers import wait_for

# looop's own process-group handling, which is all there is with the box off (a boxed
# command also dies with its box, and its pids are the box's own)
UNBOXED = {"LOOOP_SANDBOX": "off"}


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_a_silent_command_says_it_still_runs(loop):
    loop.seed()
    out = loop.run("shell", "sleep 2.5; echo finished", env={"LOOOP_SHELL_PROGRESS": "1"})
    assert out.returncode == 0, out.stderr
    assert "[looop] still running (1s, killed in " in out.stderr and "sleep 2.5" in out.stderr
    assert out.stdout.startswith("finished")


def test_ctrl_c_stops_the_command_and_keeps_the_move(loop):
    loop.seed()
    pidfile = loop.root / "child.pid"
    proc = loop.popen("shell", f"sleep 300 & echo $! > {pidfile}; wait", env=UNBOXED)
    try:
        wait_for(lambda: pidfile.exists() and pidfile.read_text().strip(), 20, what="the command to start")
        child = int(pidfile.read_text())
        proc.send_signal(signal.SIGINT)
        proc.wait(20)
        assert proc.returncode != 0
        wait_for(lambda: _gone(child), 30, what="the command's group to stop")  # a loaded machine is slow to reap
        assert "run-shell interrupted after" in loop.journal()[-1] and "not re-run" in loop.journal()[-1]
        kept = json.loads((loop.data / ".last-shell.json").read_text())
        assert "interrupted" in kept["tail"] and kept["exit_code"] == 130, "the next beat is told"
        assert not (loop.data / ".shell-running.json").exists()
    finally:
        if proc.poll() is None:
            proc.kill()


def test_kill_9_of_looop_leaves_no_orphan(loop):
    loop.seed()
    pidfile = loop.root / "child.pid"
    proc = loop.popen("shell", f"sleep 300 & echo $! > {pidfile}; wait", env=UNBOXED)
    child = 0
    try:
        wait_for(lambda: pidfile.exists() and pidfile.read_text().strip(), 20, what="the command to start")
        child = int(pidfile.read_text())
        assert pid_alive(child)
        running = loop.data / ".shell-running.json"  # its group is recorded once the watcher stands
        wait_for(lambda: running.exists() and "pgid" in running.read_text(), 20, what="the command's record")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        wait_for(lambda: _gone(child), 10, what="the orphaned command to be stopped")
    finally:
        if child and not _gone(child):
            os.kill(child, signal.SIGKILL)
