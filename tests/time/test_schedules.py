"""Schedules: bad input refused in one line, due-ness worked out from the clock,
one wake per firing, invalid files shown and never fatal, and the pulse's
sleep ending when a schedule falls due."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from looop.beat import world
from looop.core.errors import FatalError
from looop.core.paths import Paths
from looop.time import schedules
from tests.helpers import read_until


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(data=tmp_path / "data", config=tmp_path / "looop.json", is_default_profile=False)


# -- bad input: one line, exit 2, nothing written -----------------------------------

@pytest.mark.parametrize("args, needle", [
    (("--every", "10"), "under the 60 s floor"),
    (("--cron", "0 9 * *"), "needs 5 fields"),
    (("--cron", "0 0 9 * * 1"), "needs 5 fields"),
    (("--cron", "61 * * * *"), "not a valid cron expression"),
    (("--at", "next tuesday"), "not an ISO time"),
    (("--in", "2 weeks"), "not a duration"),
    (("--in", "2h", "--every", "1d"), "exactly one of --in, --every, --at, --cron"),
    (("--at", "2026-12-01T09:00", "--cron", "0 9 * * *"), "exactly one of"),
    ((), "exactly one of"),
])
def test_bad_schedule_input_is_one_line_and_writes_nothing(loop, args, needle):
    out = loop.run("schedule", "write", "x", *args)
    assert out.returncode == 2, out.stdout + out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in out.stderr
    assert not (loop.data / "schedules" / "x.json").exists()


def test_a_bad_name_is_refused(loop):
    out = loop.run("schedule", "write", "../x", "--in", "1h")
    assert out.returncode != 0 and "not a plain name" in out.stderr


def test_at_in_the_past_is_due_now_and_says_so(loop):
    out = loop.run("schedule", "write", "late", "--at", "2020-01-01T09:00", "--note", "check the deploy")
    assert out.returncode == 0, out.stderr
    assert "is in the past: due now" in out.stdout
    listed = json.loads(loop.run("schedule", "list", "--json").stdout)
    assert [(s["name"], s["state"], s["note"]) for s in listed] == [("late", "due", "check the deploy")]


def test_write_list_rm_round_trip_with_local_times(loop):
    assert loop.run("schedule", "write", "weekly", "--cron", "0 9 * * 1").returncode == 0
    assert loop.run("schedule", "write", "soon", "--in", "2h").returncode == 0
    assert loop.run("schedule", "write", "daily", "--every", "1d").returncode == 0
    listed = {s["name"]: s for s in json.loads(loop.run("schedule", "list", "--json").stdout)}
    assert listed["soon"]["state"] == "pending" and listed["daily"]["state"] == "recurring"
    due = datetime.fromisoformat(listed["weekly"]["next_due"])
    assert due.weekday() == 0 and (due.hour, due.minute) == (9, 0)  # Monday 09:00, local time
    human = loop.run("schedule", "list").stdout
    assert "weekly: cron 0 9 * * 1" in human and "next " in human
    assert loop.run("schedule", "rm", "soon").returncode == 0
    gone = loop.run("schedule", "rm", "soon")
    assert gone.returncode == 1 and "no schedule named 'soon'" in gone.stderr
    assert sorted(p.name for p in (loop.data / "schedules").iterdir()) == ["daily.json", "weekly.json"]
    assert "schedule rm soon" in loop.journal()[-1]


def test_a_garbage_file_is_invalid_and_never_breaks_a_beat(loop):
    loop.fake("journal")
    (loop.data / "schedules").mkdir(parents=True)
    (loop.data / "schedules" / "junk.json").write_text("{{{ not json")
    (loop.data / "schedules" / "odd.json").write_text('{"kind": "once"}')
    assert loop.run("tick").returncode == 0
    assert "junk: INVALID (not valid JSON)" in loop.prompt_copy.read_text()
    listed = {s["name"]: s for s in json.loads(loop.run("schedule", "list", "--json").stdout)}
    assert listed["junk"]["state"] == "invalid" and listed["odd"]["state"] == "invalid"
    assert "missing 'at'" in listed["odd"]["problem"]
    assert "INVALID" in loop.run("schedule", "list").stdout


# -- due-ness and the world hash ----------------------------------------------------

def test_a_one_shot_is_pending_then_due_until_dropped(paths):
    s = schedules.write(paths, "once", {"in_s": 60}, "look", now=1000.0)
    assert s.state == "pending" and s.next_due == 1060.0
    assert schedules.world_parts(schedules.load_all(paths, 1059)) == []  # writing one wakes no one
    due = schedules.load_all(paths, 1061)
    assert due[0].state == "due" and schedules.next_due(due) is None
    later = schedules.load_all(paths, 999_999)
    assert schedules.world_parts(due) == schedules.world_parts(later)  # due stays due: one wake
    assert schedules.drop(paths, "once") and not schedules.drop(paths, "once")


def test_a_recurring_schedule_wakes_once_per_period_and_once_after_downtime(paths):
    schedules.write(paths, "tick", {"every_s": 3600}, now=0.0)

    def token(now: float) -> str:
        return world.digest(schedules.world_parts(schedules.load_all(paths, now)))

    assert token(10) == token(3599)  # not fired yet
    assert token(3600) != token(3599)  # fired
    assert token(3601) == token(7199)  # same period: no second wake
    assert token(7200) != token(7199)
    # a week of downtime: the next beat sees one change, not 168
    assert token(7200 + 7 * 86400) == token(7200 + 7 * 86400 + 1)
    s = schedules.load_all(paths, 7200 + 7 * 86400 + 5)[0]
    assert s.last_fired == 7200 + 7 * 86400 and s.next_due == s.last_fired + 3600


def test_cron_fires_on_its_local_minute_and_needs_croniter_only_when_a_firing_passes(paths):
    base = datetime(2026, 3, 2, 8, 0).timestamp()  # a Monday, 08:00 local
    schedules.write(paths, "standup", {"cron": "30 9 * * 1-5"}, now=base)
    s = schedules.load_all(paths, base + 60)[0]
    assert s.last_fired is None and datetime.fromtimestamp(s.next_due) == datetime(2026, 3, 2, 9, 30)
    fired = schedules.load_all(paths, datetime(2026, 3, 2, 9, 31).timestamp())[0]
    assert datetime.fromtimestamp(fired.last_fired) == datetime(2026, 3, 2, 9, 30)
    # an unchanged beat before the next firing reads the cache: no croniter import
    code = ("import sys, time\nfrom looop.time import schedules\nfrom looop.core.paths import Paths\nfrom pathlib import Path\n"
            f"p = Paths(data=Path({str(paths.data)!r}), config=Path('/nonexistent'), is_default_profile=False)\n"
            f"s = schedules.load_all(p, {datetime(2026, 3, 2, 12, 0).timestamp()})\n"
            "assert s[0].last_fired is not None, s\nprint('croniter' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_a_dropped_due_schedule_does_not_wake_the_next_beat(loop):
    loop.fake("unschedule", "ping", "journal")
    loop.seed()
    assert loop.run("schedule", "write", "ping", "--in", "0", "--note", "say hi").returncode == 0
    first = loop.run("tick")
    assert first.returncode == 0 and loop.calls() == 1, first.stdout + first.stderr
    assert "ping: at " in loop.prompt_copy.read_text() and "DUE since" in loop.prompt_copy.read_text()
    assert not (loop.data / "schedules" / "ping.json").exists()
    again = loop.run("tick")
    assert "world unchanged" in again.stdout and loop.calls() == 1


def test_a_due_schedule_wakes_an_unchanged_world_exactly_once(loop):
    loop.fake("journal")
    assert loop.run("tick").returncode == 0 and loop.calls() == 1
    assert "world unchanged" in loop.run("tick").stdout
    assert loop.run("schedule", "write", "later", "--in", "1h").returncode == 0
    assert "world unchanged" in loop.run("tick").stdout  # pending: no wake
    assert loop.run("schedule", "write", "now", "--at", "2000-01-01T00:00").returncode == 0
    assert loop.run("tick").returncode == 0 and loop.calls() == 2
    assert "=== SCHEDULES (looop schedule list) ===" in loop.prompt_copy.read_text()
    assert "world unchanged" in loop.run("tick").stdout and loop.calls() == 2


# -- the pulse sleeps until the next due time ------------------------------------------

def test_a_schedule_written_while_the_pulse_sleeps_wakes_it_when_due(loop):
    """The pulse waits an hour; a schedule due in 3 s, written mid-sleep,
    re-plans the sleep and the next beat decides on it."""
    import signal

    loop.fake("journal")
    loop.seed()
    proc = loop.popen(env={"LOOOP_INTERVAL": "3600", "LOOOP_BUSY_INTERVAL": "3600"})
    try:
        read_until(proc, "next beat in 3600s")
        assert loop.calls() == 1
        assert loop.run("schedule", "write", "nudge", "--in", "3", "--note", "wake up").returncode == 0
        seen = read_until(proc, "when schedule nudge is due")
        seen += read_until(proc, "decided in")
        assert "schedules changed" in seen
        assert loop.calls() == 2 and "nudge: at " in loop.prompt_copy.read_text()
        status = json.loads(loop.run("status", "--json").stdout)
        assert status["pulse"]["running"] and status["schedules"][0]["state"] == "due"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)


def test_the_rest_ends_at_the_next_due_time(paths, monkeypatch):
    """In process: with a 60 s wait and a schedule due within a second, rest
    returns once it is due (were it to sleep the whole wait, the test would hang)."""
    from looop.beat import pulse

    schedules.write(paths, "soon", {"in_s": 1})
    monkeypatch.setattr(pulse, "say", lambda *a, **k: None)
    pulse.rest(paths, 60, "", {"interval": 60}, slice_s=0.05)
    assert schedules.load_all(paths)[0].state == "due"
    recorded = json.loads(paths.pulse_state.read_text())
    assert recorded["wait_s"] <= 1 and recorded["pid"] == os.getpid()


def test_write_refuses_without_exactly_one_kind(paths):
    with pytest.raises(FatalError) as err:
        schedules.write(paths, "x", {"in_s": 5, "cron": "* * * * *"})
    assert err.value.code == 2
    with pytest.raises(FatalError):
        schedules.write(paths, "x", {"every_s": 59})


def test_completion_offers_the_actions_and_the_schedule_names(loop):
    assert loop.run("schedule", "write", "nightly", "--cron", "0 2 * * *").returncode == 0
    assert loop.run("_complete", "--", "schedule").stdout.split() == ["write", "rm", "list"]
    assert loop.run("_complete", "--", "schedule", "rm").stdout.split() == ["nightly", "--journal"]
    assert "--cron" in loop.run("_complete", "--", "schedule", "write").stdout.split()


def test_a_schedule_that_fell_due_during_the_beat_ends_the_rest_at_once(paths, monkeypatch):
    from looop.beat import pulse

    monkeypatch.setattr(pulse, "say", lambda *a, **k: None)
    before = time.time() - 5  # the last beat began here
    schedules.write(paths, "late", {"at": "2000-01-01T00:00"})  # written due while that beat ran
    pulse.rest(paths, 60, "", {"interval": 60}, slice_s=0.05, since=before)
    assert json.loads(paths.pulse_state.read_text())["wait_s"] == 0
    # the next rest knows the beat after it saw the schedule: it sleeps its wait
    pulse.rest(paths, 1, "", {"interval": 1}, slice_s=0.05, since=time.time())
    assert json.loads(paths.pulse_state.read_text())["wait_s"] == 1


def test_schedules_are_policy_tracked_in_git(loop):
    import shutil

    if not shutil.which("git"):
        pytest.skip("git is not installed")
    loop.fake("journal")
    loop.seed()
    assert loop.run("schedule", "write", "weekly", "--cron", "0 9 * * 1").returncode == 0
    (loop.data / "goals" / "new.md").write_text("wake up\n")
    assert loop.run("tick").returncode == 0
    tracked = subprocess.run(["git", "-C", str(loop.data), "ls-files"], check=False, capture_output=True, text=True).stdout
    assert "schedules/weekly.json" in tracked.split()
    assert ".schedules-cache.json" not in tracked and ".goal-activity.json" not in tracked


def test_the_human_words_the_journal_line_of_a_schedule_or_looop_does(loop):
    loop.seed()
    assert loop.call("schedule", "write", "deploy", "--in", "2h", "--journal", "check the deploy at two").returncode == 0
    assert loop.journal()[-1].endswith(" check the deploy at two")
    assert loop.call("schedule", "rm", "deploy").returncode == 0
    assert loop.journal()[-1].endswith(" schedule rm deploy (by hand)")
    out = loop.call("schedule", "rm", "deploy", "--journal", " ")
    assert out.returncode == 1 and "--journal is empty" in out.stderr
