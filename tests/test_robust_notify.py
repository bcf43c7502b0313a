"""Notifications bounded in every way: a notify_command's stderr is kept as a
short tail, never whole; a command that exits 0 has delivered even if a
daemon it left holds stderr; silent targets are waited on side by side."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading

from tests.helpers import looop_argv


def _ask(loop, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return loop.run("ask", "--worker", "w", "--prompt", "Go?", "--timeout", "0.01", timeout=timeout)


def test_a_flood_of_notify_command_stderr_is_kept_as_a_tail(loop, tmp_path):
    script = "head -c 300000000 /dev/zero | tr '\\0' x >&2; echo >&2; echo 'smtp said no' >&2; exit 7"
    loop.fake("journal", notify_command=script)
    loop.seed()
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:]);"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, *looop_argv(), "ask", "--worker", "w", "--prompt", "Go?",
                          "--timeout", "0.01"], env=loop.env, cwd=loop.root, text=True, capture_output=True,
                         timeout=60)
    peak_kb = int(out.stdout.strip().splitlines()[-1])
    assert peak_kb < 150_000, f"looop ask peaked at {peak_kb} KB with a 300 MB stderr"
    [failed] = json.loads(loop.run("status", "--json").stdout)["notify_failures"]
    assert failed["error"] == "exit 7: smtp said no"


def test_a_notify_command_that_exits_0_leaving_a_daemon_on_stderr_delivered(loop, tmp_path):
    sink, daemon = tmp_path / "sent.jsonl", tmp_path / "daemon.pid"
    loop.fake("journal", notify_command=f"cat >>{sink}; sleep 60 & echo $! >{daemon}; exit 0")
    loop.seed()
    try:
        assert _ask(loop).returncode == 3
        assert json.loads(loop.run("status", "--json").stdout)["notify_failures"] == []
        assert loop.run("tick").returncode == 0
        assert len(sink.read_text().splitlines()) == 1, "one ask, one notification"
    finally:
        if daemon.exists():
            os.kill(int(daemon.read_text()), signal.SIGKILL)


class Silent:
    """A TCP server that accepts and never answers; at each accept it notes
    how many notify_failed events the data dir had recorded by then."""

    def __init__(self, events) -> None:
        self.events = events
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self.failed_before: list[int] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.failed_before.append(self.events().count("notify_failed"))
            self.conns.append(conn)

    def close(self) -> None:
        self.sock.close()
        for c in self.conns:
            c.close()


def test_silent_targets_are_waited_on_side_by_side(loop):
    silent = Silent(loop.event_names)
    try:
        loop.fake("journal", notify=[f"json://127.0.0.1:{silent.port}/a", f"json://127.0.0.1:{silent.port}/b"])
        loop.seed()
        assert _ask(loop).returncode == 3
        assert len(silent.conns) == 2, "both targets were tried"
        assert silent.failed_before == [0, 0], "the second was tried before the first had given up"
        assert len(json.loads(loop.run("status", "--json").stdout)["notify_failures"]) == 2
    finally:
        silent.close()
