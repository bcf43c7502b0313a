"""`sensor list|test|rm`, `goal list|show`, failing sensors in `status`, and a dry run beside a pulse."""

from __future__ import annotations

import json
import signal

from tests.helpers import wait_for


def test_sensor_list_shows_each_sensor_its_interval_and_last_reading(loop):
    loop.fake("journal")
    loop.sensor("mail", "# looop:interval=300\necho '{\"signal\": 1}'")
    loop.sensor("broken", "echo oops; exit 4")
    assert "not run yet" in loop.call("sensor", "list").stdout
    loop.seed()
    rows = {r["name"]: r for r in json.loads(loop.call("sensor", "list", "--json").stdout)}
    assert rows["mail"]["interval_s"] == 300 and rows["mail"]["state"] == "ok"
    assert rows["broken"]["state"] == "failing" and "status 4" in rows["broken"]["problem"]
    human = loop.call("sensor", "list").stdout
    assert "every 300s" in human and "failing" in human


def test_failing_sensors_come_first_in_status(loop):
    loop.fake("journal")
    loop.sensor("broken", "exit 4")
    loop.seed()
    lines = loop.call("status").stdout.splitlines()
    assert "sensor broken FAILING: exited with status 4" in lines[0]
    assert "looop sensor test broken" in lines[0]
    snap = json.loads(loop.call("status", "--json").stdout)
    assert snap["failing_sensors"] == [{"name": "broken", "problem": "exited with status 4"}]


def test_sensor_test_runs_it_once_and_says_ok_or_why_not(loop):
    loop.fake("journal")
    loop.sensor("good", "echo '{\"signal\": {\"n\": 2}}'; echo note >&2")
    loop.sensor("bad", "echo 'not json'")
    good = loop.run("sensor", "test", "good")
    assert good.returncode == 0 and '{"signal": {"n": 2}}' in good.stdout and "note" in good.stdout
    assert "sensor good: ok" in good.stdout
    assert not (loop.data / "snapshots" / "sensor-good.json").exists(), "a test changes nothing"
    bad = loop.run("sensor", "test", "bad")
    assert bad.returncode == 1 and "sensor bad: FAILED" in bad.stderr and "Traceback" not in bad.stderr
    missing = loop.run("sensor", "test", "nope")
    assert missing.returncode == 1 and "no sensor 'nope'" in missing.stderr and "good" in missing.stderr


def test_sensor_rm_keeps_the_script_and_journals(loop):
    loop.fake("journal")
    script = loop.sensor("old", "echo '{}'")
    body = script.read_text()
    out = loop.call("sensor", "rm", "old")
    assert out.returncode == 0 and not script.exists()
    assert (loop.data / "sensors" / "removed" / "old.sh").read_text() == body
    assert "sensor rm old" in loop.journal()[-1]
    loop.sensor("old", "echo '{}'")
    assert loop.call("sensor", "rm", "old").returncode == 0
    assert len(list((loop.data / "sensors" / "removed").glob("old*.sh"))) == 2, "an earlier removal is never replaced"
    assert "usage: looop sensor rm NAME" in loop.call("sensor", "rm").stderr


def test_goal_list_and_show(loop):
    loop.fake("journal")
    loop.seed()
    assert loop.call("goal", "write", "ship", "# Ship the release", "", "details").returncode == 0
    listed = loop.call("goal", "list").stdout
    assert "ship" in listed and "Ship the release" in listed and "never acted on" in listed
    data = json.loads(loop.call("goal", "list", "--json").stdout)
    assert "ship" in [g["id"] for g in data["goals"]]
    shown = loop.call("goal", "show", "ship")
    assert shown.returncode == 0 and "Ship the release" in shown.stdout
    assert loop.call("goal", "archive", "ship").returncode == 0
    assert "archived: ship" in loop.call("goal", "list").stdout
    assert "(archived)" in loop.call("goal", "show", "ship").stdout
    missing = loop.call("goal", "show", "nope")
    assert missing.returncode == 1 and "no goal 'nope'" in missing.stderr


def test_a_dry_run_goes_alongside_a_running_pulse(loop):
    loop.fake("hang")
    loop.seed()
    pulse = loop.popen()
    try:
        wait_for(lambda: (loop.data / ".lock" / "pid").exists(), 20, what="the pulse's lock")
        wait_for(lambda: (loop.root / "runner-pid").exists(), 20, what="the pulse's runner")
        before = sorted(p.name for p in (loop.data / "snapshots").iterdir())
        out = loop.run("tick", "--dry-run")
        assert out.returncode == 0, out.stderr
        assert "alongside" in out.stdout and out.stdout.strip().splitlines()[-1].endswith("prompt.md")
        assert sorted(p.name for p in (loop.data / "snapshots").iterdir()) == before
        assert pulse.poll() is None, "the pulse is untouched"
    finally:
        pulse.send_signal(signal.SIGTERM)
        pulse.wait(15)
