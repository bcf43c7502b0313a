"""`looop status` at a glance and `status --json` as the one document a
client needs: what is wrong first, the last journal line, the running pulse's
real wait and next beat, schedules, goals, and the real decision count."""

from __future__ import annotations

import json
import signal
import time

from looop.core import schemas


def test_a_missing_config_is_the_first_line(loop):
    out = loop.run("status")
    assert out.returncode == 0
    first = out.stdout.splitlines()[0]
    assert "no config" in first and "looop init" in first
    snap = json.loads(loop.run("status", "--json").stdout)
    assert "looop init" in snap["problem"] and schemas.problems("status", snap) == []


def test_an_invalid_config_is_the_first_line(loop):
    loop.config.write_text('{"default": "x", "runners": {}}')
    first = loop.run("status").stdout.splitlines()[0]
    assert str(loop.config) in first and "beats fail until it is fixed" in first


def test_status_shows_the_last_journal_line_decisions_schedules_and_goals(loop):
    loop.fake("journal", "looked at the deploy")
    assert loop.run("tick").returncode == 0
    loop.fake("grow", "setup", "journal", "grew setup")
    (loop.data / "goals" / "new.md").write_text("a new goal wakes the loop\n")
    assert loop.run("tick").returncode == 0
    assert loop.run("schedule", "write", "deploy", "--at", "2001-01-01T00:00", "--note", "check it").returncode == 0
    assert loop.run("schedule", "write", "weekly", "--every", "7d").returncode == 0
    snap = json.loads(loop.run("status", "--json").stdout)
    assert schemas.problems("status", snap) == []
    assert snap["problem"] is None
    assert snap["last_move"].endswith("schedule write weekly: every 7d (by hand)")
    assert snap["decisions"] == {"last_hour": 2, "today": 2}
    assert any(line.endswith("grew setup") for line in snap["journal_tail"])
    assert [(s["name"], s["state"]) for s in snap["schedules"]] == [("deploy", "due"), ("weekly", "recurring")]
    assert snap["goals"][0] == {"id": "new", "last_acted": None}  # never acted on: first
    assert snap["goals"][-1]["id"] == "setup" and snap["goals"][-1]["last_acted"]
    assert snap["pending_asks"] == [] and snap["held_back"] == []
    human = loop.run("status").stdout
    assert "last move: - " in human and "(by hand)" in human and "world " not in human
    assert "decisions: 2 today, 2 in the last hour" in human
    assert "deploy: DUE — check it" in human and "next: weekly at" in human
    assert "waiting longest: new (never acted on)" in human


def test_status_shows_the_running_pulses_real_wait_and_next_beat(loop):
    loop.fake("journal")
    loop.seed()
    proc = loop.popen(env={"LOOOP_INTERVAL": "1234", "LOOOP_BUSY_INTERVAL": "1234"})
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (loop.data / ".pulse.json").exists():
            time.sleep(0.05)
        snap = json.loads(loop.run("status", "--json").stdout)
        assert snap["pulse"]["running"] and snap["pulse"]["interval_s"] == 1234
        assert snap["pulse"]["next_beat_at"] and not snap["pulse"]["session"]
        human = loop.run("status").stdout
        assert f"running (pid {proc.pid}; waits 1234s; next beat " in human
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
    assert not (loop.data / ".pulse.json").exists()
    assert "not running (start it: looop up)" in loop.run("status").stdout
