"""Notifications for the fleet: a worker that failed, failed its verify, or stalled; a pulse that stopped."""

from __future__ import annotations

import signal

from tests.fleet import kit
from tests.helpers import read_until, wait_for
from tests.mailbox.kit import recorded, recorder


def _sent(out, event):
    return [n for n in recorded(out) if n.get("event") == event]


def test_a_failed_worker_and_a_failed_verify_are_each_notified_once(loop):
    cmd, out = recorder(loop.root)
    kit.use_fake_worker(loop, "journal", notify_command=cmd)
    loop.seed()
    kit.start(loop, "crash", "exit", "3")
    assert loop.run("start-session", "lazy", "do it", "--verify", "exit 5",
                    env={"FAKE_WORKER_MOVES": "exit 0"}).returncode == 0
    kit.wait_state(loop, "crash", "exited")
    kit.wait_state(loop, "lazy", "exited")
    assert loop.run("tick", "--dry-run").returncode == 0  # runs the verify
    assert loop.run("tick", "--dry-run").returncode == 0
    failed = _sent(out, "worker_failed")
    assert [n["worker"] for n in failed] == ["crash"] and "exited with status 3" in failed[0]["text"]
    verify = _sent(out, "verify_failed")
    assert [n["worker"] for n in verify] == ["lazy"] and "exit 5" in verify[0]["text"]
    assert not any(n["worker"] == "lazy" for n in failed), "an exit 0 is no failure"


def test_a_worker_silent_past_notify_stall_is_notified(loop):
    cmd, out = recorder(loop.root)
    kit.use_fake_worker(loop, "journal", notify_command=cmd, notify_stall=1)
    loop.seed()
    kit.start(loop, "quiet", "say", "hello", "hang")
    kit.wait_state(loop, "quiet", "running")
    try:
        def stalled():
            loop.run("tick", "--dry-run")
            return _sent(out, "worker_stalled")

        sent = wait_for(stalled, 20, what="a stall notification")
        assert sent[0]["worker"] == "quiet" and "written nothing" in sent[0]["text"]
    finally:
        loop.run("kill", "quiet", "--grace", "1")


def test_a_pulse_that_stops_says_so_but_not_after_down(loop):
    cmd, out = recorder(loop.root)
    loop.fake("journal", notify_command=cmd)
    loop.seed()
    pulse = loop.popen()
    read_until(pulse, "looop pulse (pid")
    pulse.send_signal(signal.SIGTERM)
    assert pulse.wait(15) == 0
    stops = _sent(out, "pulse_stopped")
    assert len(stops) == 1 and "SIGTERM" in stops[0]["text"] and "looop up" in stops[0]["text"]

    pulse = loop.popen()
    try:
        read_until(pulse, "looop pulse (pid")
        assert loop.run("down").returncode == 0
        pulse.wait(15)
        assert len(_sent(out, "pulse_stopped")) == 1, "the human stopped it: no news"
    finally:
        if pulse.poll() is None:
            pulse.kill()
