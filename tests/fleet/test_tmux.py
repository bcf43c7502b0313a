"""Surfacing into tmux: a window per new flag, against a real private server."""

from __future__ import annotations

import shutil
import subprocess
import tempfile

import pytest

from tests.fleet import kit

pytestmark = pytest.mark.skipif(not shutil.which("tmux"), reason="tmux is not installed")


@pytest.fixture
def tmux_server(loop):
    """A tmux server of our own: TMUX_TMPDIR points tmux's default socket at a private dir."""
    sock_dir = tempfile.mkdtemp(prefix="lt-", dir="/tmp")  # short: a socket path has a length limit
    env = {**loop.env, "TMUX_TMPDIR": sock_dir}
    subprocess.run(["tmux", "-f", "/dev/null", "new-session", "-d", "-s", "human", "-x", "120", "-y", "30"],
                   env=env, check=True, timeout=10)
    loop.env.update(TMUX_TMPDIR=sock_dir, LOOOP_TMUX_SURFACE="1")

    def tmux(*args: str) -> str:
        return subprocess.run(["tmux", *args], env=env, capture_output=True, text=True, timeout=10).stdout

    try:
        yield tmux
    finally:
        subprocess.run(["tmux", "kill-server"], env=env, capture_output=True, timeout=10)
        shutil.rmtree(sock_dir, ignore_errors=True)


def _windows(tmux) -> list[str]:
    return [w for w in tmux("list-windows", "-a", "-F", "#{window_name}").splitlines() if w.startswith("⚑ ")]


def test_each_flag_pops_one_window_and_a_reflag_pops_again(loop, tmux_server):
    kit.use_fake_worker(loop, "journal")
    kit.start(loop, "ask", "say", "the question is here", "hang")
    assert loop.run("flag", "ask", "which one?").returncode == 0
    out = loop.run("tick")
    assert "opened a tmux window attached to ask)" in out.stdout
    assert _windows(tmux_server) == ["⚑ ask"]
    # The window really is attached to the worker.
    kit.wait_for(lambda: "the question is here" in tmux_server("capture-pane", "-p", "-t", "⚑ ask"),
                 what="the worker's output in the tmux window")
    assert "surfaced" in loop.event_names()

    loop.run("tick")
    assert _windows(tmux_server) == ["⚑ ask"]  # pops once

    tmux_server("kill-window", "-t", "⚑ ask")
    loop.run("unflag", "ask")
    loop.run("tick")
    assert not (loop.data / ".tmux-surfaced").exists()
    loop.run("flag", "ask", "which one, again?")
    loop.run("tick")
    assert _windows(tmux_server) == ["⚑ ask"]  # a re-flag pops again


def test_surfacing_can_be_switched_off(loop, tmux_server):
    kit.use_fake_worker(loop, "journal")
    loop.env["LOOOP_TMUX_SURFACE"] = "0"
    kit.start(loop, "quiet", "hang")
    loop.run("flag", "quiet", "psst")
    out = loop.run("tick")
    assert "NEEDS YOU" in out.stdout
    assert _windows(tmux_server) == []
    assert not (loop.data / ".tmux-surfaced").exists()
