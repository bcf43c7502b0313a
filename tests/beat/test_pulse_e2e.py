"""The pulse end to end: one instance, cadence, clean stops, backoff."""

from __future__ import annotations

import signal

from looop.core.locks import pid_alive
from tests.helpers import read_until, wait_for


def _running(pid):
    """Alive and not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _lock_pid(loop):
    try:
        return (loop.data / ".lock" / "pid").read_text().strip()
    except FileNotFoundError:
        return ""


def test_two_pulses_at_once_exactly_one_runs(loop):
    loop.fake("journal")
    loop.seed()
    procs = [loop.popen(env={"LOOOP_INTERVAL": "30"}) for _ in range(2)]
    try:
        wait_for(lambda: any(p.poll() is not None for p in procs), 20, what="one pulse to give up")
        loser = next(p for p in procs if p.poll() is not None)
        winner = next(p for p in procs if p is not loser)
        assert loser.returncode == 1
        assert "another looop pulse is running" in loser.stdout.read()
        assert winner.poll() is None
        wait_for(lambda: _lock_pid(loop) == str(winner.pid), 20, what="the lock pid")
        # a tick while the pulse runs is refused, naming the pid
        out = loop.run("tick")
        assert out.returncode == 1 and f"pid {winner.pid}" in out.stderr
        assert loop.run("status", "--json").stdout.count(f'"pid": {winner.pid}') == 1
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                p.wait(10)


def test_sigterm_stops_the_runner_and_releases_the_lock(loop):
    loop.fake("hang")
    loop.seed()
    pulse = loop.popen()
    try:
        read_until(pulse, "fake runner: hanging")
        runner_pid = int((loop.root / "runner-pid").read_text())
        assert pid_alive(runner_pid)
        pulse.send_signal(signal.SIGTERM)
        assert pulse.wait(15) == 0
        assert "pulse stopped" in pulse.stdout.read()
        wait_for(lambda: not _running(runner_pid), 20, what="the runner to stop")
        assert _lock_pid(loop) == ""
        assert loop.run("tick", "--dry-run").returncode == 0, "the lock is free again"
    finally:
        if pulse.poll() is None:
            pulse.kill()


def test_a_killed_pulse_leaves_a_lock_the_next_one_reclaims(loop):
    loop.fake("journal")
    loop.seed()
    first = loop.popen(env={"LOOOP_INTERVAL": "30"})
    wait_for(lambda: _lock_pid(loop) == str(first.pid), 20, what="the first pulse to lock")
    first.kill()
    first.wait(10)
    assert _lock_pid(loop) == str(first.pid)  # stale: its owner is dead
    second = loop.popen(env={"LOOOP_INTERVAL": "30"})
    try:
        wait_for(lambda: _lock_pid(loop) == str(second.pid), 20, what="the second pulse to reclaim")
        assert second.poll() is None
    finally:
        second.send_signal(signal.SIGINT)
        assert second.wait(10) == 0


def test_next_interval_and_cadence(loop):
    loop.fake("next", "7", "journal")
    loop.seed()
    pulse = loop.popen(env={"LOOOP_INTERVAL": "40", "LOOOP_BUSY_INTERVAL": "33"})
    try:
        seen = read_until(pulse, "next beat in")
        assert "idle 40s, busy 33s" in seen
        assert "next beat in 7s" in seen, "the AI's one-shot request wins once"
        assert not (loop.data / ".next-interval").exists()
    finally:
        pulse.send_signal(signal.SIGTERM)
        pulse.wait(10)


def test_failed_beats_back_off(loop):
    loop.fake("fail")
    loop.seed()
    pulse = loop.popen(env={"LOOOP_INTERVAL": "20"})
    try:
        seen = read_until(pulse, "next beat in")
        assert "next beat in 20s (backing off after 1 failed beat)" in seen
    finally:
        pulse.send_signal(signal.SIGTERM)
        pulse.wait(10)


def test_pulse_beats_repeatedly_with_zero_interval(loop):
    loop.fake("journal")
    loop.seed()
    pulse = loop.popen(env={"LOOOP_INTERVAL": "0", "LOOOP_BUSY_INTERVAL": "0"})
    try:
        wait_for(lambda: loop.event_names().count("world_unchanged") >= 3, 20, what="three beats")
        assert loop.calls() == 1, "only the first beat saw a changed world"
    finally:
        pulse.send_signal(signal.SIGTERM)
        assert pulse.wait(10) == 0


def test_stopping_the_pulse_kills_a_runner_that_ignores_sigterm(loop):
    runner = loop.root / "stubborn-runner"
    pids = loop.root / "stubborn-pids"
    runner.write_text("#!/usr/bin/env bash\ncat >/dev/null\ntrap '' TERM HUP\n"
                      f"sleep 300 & echo $$ $! > {pids}\necho stubborn runner ready\nwait\n")
    runner.chmod(0o755)
    loop.write_config(str(runner))
    loop.seed()
    pulse = loop.popen()
    try:
        read_until(pulse, "stubborn runner ready")
        shell, child = map(int, pids.read_text().split())
        pulse.send_signal(signal.SIGTERM)
        assert pulse.wait(30) == 0
    finally:
        if pulse.poll() is None:
            pulse.kill()
    # the whole group is gone, so no second move can ever overlap it
    assert not _running(shell) and not _running(child)
    assert not (loop.data / ".lock" / "runner").exists()


def test_a_quiet_world_costs_one_line_per_beat_and_needs_you_is_not_repeated(loop):
    loop.fake("attention", "renew the token", "journal")
    loop.sensor("calm", "echo '{\"signal\": {\"ok\": true}}'")
    pulse = loop.popen(env={"LOOOP_INTERVAL": "1", "LOOOP_BUSY_INTERVAL": "1"})
    try:
        seen = read_until(pulse, "world unchanged")
        seen += read_until(pulse, "world unchanged")
        seen += read_until(pulse, "world unchanged")
    finally:
        pulse.send_signal(signal.SIGTERM)
        pulse.communicate(timeout=10)
    assert seen.count("NEEDS YOU") == 1, seen  # shown once, not again on every unchanged beat
    quiet_beats = [ln for ln in seen.split("] next beat in 1s\n", 1)[1].splitlines() if ln.strip()]
    # one line per beat: no line per sensor (the seeded `today` and `calm`)
    assert all(ln.endswith("] world unchanged: no decision needed (2 sensors); next beat in 1s") for ln in quiet_beats), seen
    assert len(quiet_beats) >= 2


def test_a_quiet_pulse_prints_nothing_for_an_unchanged_world(loop):
    loop.fake("journal")
    loop.seed()
    assert loop.run("tick").returncode == 0
    pulse = loop.popen("--quiet", env={"LOOOP_INTERVAL": "1"})
    try:
        wait_for(lambda: loop.event_names().count("world_unchanged") >= 2, 20, what="two unchanged beats")
    finally:
        pulse.send_signal(signal.SIGTERM)
        out, _ = pulse.communicate(timeout=10)
    assert "world unchanged" not in out and "next beat" not in out
    assert "looop pulse" in out and "pulse stopped" in out
