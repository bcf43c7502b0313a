"""Watching never touches a session: not a byte of input, not a signal."""

from __future__ import annotations

from tests.fleet.kit import Term, log_text, start, status, use_fake_worker, wait_output


def test_keys_typed_into_watch_never_reach_the_worker(loop):
    use_fake_worker(loop)
    start(loop, "listener", "echo")
    wait_output(loop, "listener", "ready")
    term = Term(loop, "watch", "listener", rows=24, cols=80)
    try:
        term.expect("listener")
        term.expect("ready")
        term.send("hello\r")
        term.send("\x1b[A\x1b[B\t \x03")
        term.send("q")
        assert term.wait(20) == 0
    finally:
        term.close()
    assert "echo:" not in log_text(loop, "listener")
    assert status(loop, "listener").get("state") == "running"
    loop.run("kill", "listener", "--grace", "1")
