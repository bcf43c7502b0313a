"""`looop attach`: a real terminal on a worker's PTY, and back."""

from __future__ import annotations

import time

from looop.fleet.attach import DETACH_WINDOW, keys
from tests.fleet import kit


def test_attach_replays_forwards_keys_and_window_size_then_detaches(loop):
    kit.use_fake_worker(loop)
    kit.start(loop, "w", "say", "said before anyone attached", "echo")
    kit.wait_output(loop, "w", "said before anyone attached")

    term = kit.Term(loop, "attach", "w", rows=30, cols=100)
    try:
        term.expect("said before anyone attached")  # replayed
        term.expect("Ctrl-\\ twice detaches")
        term.send("one\r")
        term.expect("echo: one (30 100)")
        term.proc.setwinsize(40, 120)  # the terminal is resized: SIGWINCH → forwarded
        term.send("two\r")
        term.expect("echo: two (40 120)")
        term.send("a\x1cb\r")  # a lone Ctrl-\ is looop's, never the worker's
        term.expect("echo: ab (40 120)")
        term.send(b"\x1c\x1c")
        assert term.wait() == 0
        term.expect("detached from w;")
    finally:
        term.close()
    assert kit.status(loop, "w")["state"] == "running"

    again = kit.Term(loop, "attach", "looop-w", rows=30, cols=100)
    try:
        again.expect("echo: two (40 120)")  # recent output, replayed again
        again.send("three\r")
        again.expect("echo: three (30 100)")
        again.send(b"\x1c")
        again.send(b"\x1c")
        assert again.wait() == 0
    finally:
        again.close()
    assert kit.status(loop, "w")["state"] == "running"


def test_two_clients_both_see_the_output(loop):
    kit.use_fake_worker(loop)
    kit.start(loop, "pair", "echo")
    a, b = kit.Term(loop, "attach", "pair"), kit.Term(loop, "attach", "pair")
    try:
        a.expect("Ctrl-\\ twice")
        b.expect("Ctrl-\\ twice")
        a.send("from a\r")
        a.expect("echo: from a")
        b.expect("echo: from a")
        b.send("from b\r")
        a.expect("echo: from b")
    finally:
        a.close()
        b.close()


def test_attach_exits_with_the_workers_code_when_it_ends(loop):
    kit.use_fake_worker(loop)
    kit.start(loop, "bye", "ask", "exit", "7")
    term = kit.Term(loop, "attach", "bye")
    try:
        term.expect("Ctrl-\\ twice")
        term.send("ok\r")
        term.expect("got: ok")
        assert term.wait() == 7
        term.expect("] bye exited (exit code 7)")
    finally:
        term.close()
    assert kit.status(loop, "bye")["state"] == "exited"


def test_attach_to_a_finished_worker_shows_its_log_and_exit_code(loop):
    kit.use_fake_worker(loop)
    kit.start(loop, "done", "say", "last words", "exit", "4")
    kit.wait_state(loop, "done", "exited")
    out = loop.run("attach", "done")
    assert out.returncode == 0
    assert "last words" in out.stdout
    assert "looop: done has exited with exit code 4" in out.stderr


def test_attach_to_an_unknown_worker_is_one_clear_line(loop):
    kit.use_fake_worker(loop)
    out = loop.run("attach", "nobody")
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [out.stderr.strip()]
    assert "no worker 'nobody' in this profile" in out.stderr


def test_attach_without_a_terminal_says_it_needs_one(loop):
    import subprocess

    from tests.helpers import looop_argv

    kit.use_fake_worker(loop)
    kit.start(loop, "headless", "hang")
    kit.wait_state(loop, "headless", "running")
    try:
        for stdin in (subprocess.DEVNULL, loop.config.open()):
            out = subprocess.run([*looop_argv(), "attach", "headless"], env=loop.env, stdin=stdin,
                                 capture_output=True, text=True, timeout=30)
            assert out.returncode == 1
            assert out.stderr.strip().splitlines() == [out.stderr.strip()]
            assert "attach needs a terminal" in out.stderr and "Operation not permitted" not in out.stderr
        assert kit.status(loop, "headless")["state"] == "running"
    finally:
        loop.run("kill", "headless", "--grace", "1")


def test_a_slow_second_ctrl_backslash_still_detaches_and_never_quits_the_worker(loop):
    kit.use_fake_worker(loop)
    kit.start(loop, "slow", "ask", "say", "still here")  # `ask` reads in cooked mode: Ctrl-\ there is SIGQUIT
    term = kit.Term(loop, "attach", "slow")
    try:
        term.expect(f"Ctrl-\\ twice detaches (within {DETACH_WINDOW:g} s)")
        term.send(b"\x1c")
        time.sleep(1.2)  # a human's pause: longer than the old 1 s window
        term.send(b"\x1c")
        assert term.wait() == 0
        term.expect("detached from slow; it keeps running")
    finally:
        term.close()
    assert kit.status(loop, "slow")["state"] == "running"
    again = kit.Term(loop, "attach", "slow")
    try:
        again.expect("twice")
        again.send(b"\x1cok\r")  # a lone Ctrl-\ before typing: dropped, the line goes through
        again.expect("got: ok")
        again.expect("still here")
    finally:
        again.close()
    kit.wait_state(loop, "slow", "exited")
    assert kit.status(loop, "slow")["exit_code"] == 0


def test_the_escape_key_rule():
    assert keys(b"a\x1cb", False) == (b"ab", False, False)
    assert keys(b"ab\x1c", False) == (b"ab", False, True)
    assert keys(b"\x1c", True) == (b"", True, False)
    assert keys(b"x\x1c\x1cy", False) == (b"x", True, False)
