"""`looop wait`, as a real process: it returns when what it watches changes,
at once for a pending ask, 2 when no pulse runs, 3 on its timeout."""

from __future__ import annotations

import json
import signal
import subprocess

from looop.core import schemas
from tests.fleet import kit as fleet


def _pulse(loop):
    loop.fake("journal")
    loop.seed()
    loop.run("tick")  # decided once: the pulse's beats are unchanged from here
    pulse = loop.popen(env={"LOOOP_INTERVAL": "3600", "LOOOP_BUSY_INTERVAL": "3600"}, stdout=subprocess.DEVNULL)
    fleet.wait_for(lambda: (loop.data / ".lock" / "pid").exists() and (loop.data / ".lock/pid").read_text().strip(),
                   what="the pulse to hold its lock")
    return pulse


def _sleeping(proc) -> None:
    """Wait until `looop wait` sits in its poll sleep: it has taken its first stamp."""
    def asleep() -> bool:
        try:
            return "nanosleep" in open(f"/proc/{proc.pid}/wchan").read()
        except OSError:
            return False

    fleet.wait_for(asleep, what="`looop wait` to be polling")


def _stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)


def test_no_pulse_means_pulse_down_at_once(loop):
    loop.fake("journal")
    loop.seed()
    out = loop.run("wait")
    assert out.returncode == 2 and out.stdout.startswith("changed: pulse-down\n")
    assert "pulse:     not running" in out.stdout


def test_a_pending_ask_returns_at_once_even_without_a_pulse(loop):
    loop.fake("journal")
    loop.seed()
    assert loop.run("ask", "--worker", "w", "--prompt", "Go?", "--timeout", "0.01").returncode == 3
    for flags in ((), ("--only-asks",), ("--actionable",)):
        out = loop.run("wait", *flags)
        assert out.returncode == 0 and out.stdout.startswith("changed: asks\n"), out
        assert "ask w-1 (w, " in out.stdout and "answer w-1" in out.stdout
    snap = json.loads(loop.run("wait", "--json").stdout)
    assert snap["changed"] == ["asks"] and [a["id"] for a in snap["pending_asks"]] == ["w-1"]
    assert schemas.problems("status", snap) == []


def test_wait_wakes_on_a_new_ask_then_times_out_when_nothing_moves(loop):
    pulse = _pulse(loop)
    waiter = asker = None
    try:
        quiet = loop.run("wait", "--only-asks", "--timeout", "0.6")
        assert quiet.returncode == 3 and quiet.stdout == ""
        waiter = loop.popen("wait", "--only-asks", "--json")
        _sleeping(waiter)
        asker = loop.popen("ask", "--worker", "w", "--prompt", "Ship it?")
        assert waiter.wait(20) == 0
        out = json.loads(waiter.stdout.read())
        assert out["changed"] == ["asks"] and out["pulse"]["running"] is True
    finally:
        for proc in (waiter, asker):
            if proc is not None:
                proc.kill()
        _stop(pulse)


def test_actionable_wakes_on_a_journal_line_and_pulse_down_when_the_pulse_stops(loop):
    pulse = _pulse(loop)
    try:
        waiter = loop.popen("wait", "--actionable")
        _sleeping(waiter)
        with open(loop.data / "journal.md", "a") as fh:
            fh.write("- 2026-01-01 10:00 the human wrote a line\n")
        assert waiter.wait(20) == 0
        assert waiter.stdout.read().startswith("changed: journal\n")
        waiter = loop.popen("wait")
        _sleeping(waiter)
        _stop(pulse)
        assert waiter.wait(20) == 2
        assert waiter.stdout.read().startswith("changed: pulse-down\n")
    finally:
        _stop(pulse)


def test_bad_switches_are_one_line(loop):
    out = loop.run("wait", "--only-asks", "--actionable")
    assert out.returncode == 2 and "choose one" in out.stderr
    out = loop.run("wait", "--timeout", "soon")
    assert out.returncode == 2 and "--timeout" in out.stderr and "Traceback" not in out.stderr
