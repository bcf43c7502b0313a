"""`looop up` / `looop down`: the pulse as the session `pulse`, one at a time,
and everything stopped with a list of what was."""

from __future__ import annotations

import json
import signal

from looop.core import schemas
from tests.fleet.kit import (
    Term,
    gone,
    ls_json,
    start,
    use_fake_worker,
    wait_for,
    wait_output,
)
from tests.helpers import looop_argv, without_agent_clis


def test_up_before_init_follows_the_one_rule_of_every_verb_that_needs_the_cli(loop):
    """No config: like tick, run and the pulse, `up` has `init` write one (the first installed preset, said in
    one line), then checks the CLI is there; with none installed nothing starts."""
    out = loop.run("up", env={"PATH": without_agent_clis("/usr/bin:/bin")})
    first, _, rest = out.stderr.partition("\n")
    assert out.returncode == 1, out.stderr
    assert first.startswith("looop: no config yet: wrote") and "`looop init` on a terminal picks another" in first
    assert rest.startswith("looop: runner 'pi' needs tools that are not installed")
    loop.config.unlink()
    tick = loop.run("tick", env={"PATH": without_agent_clis("/usr/bin:/bin")})
    assert tick.returncode == 1 and tick.stderr == out.stderr, "the same rule and the same words as tick"
    assert not (loop.data / "fleet" / "sessions" / "looop-pulse").exists()


def test_two_ups_at_once_start_one_pulse_and_down_stops_it_and_every_worker(loop):
    use_fake_worker(loop)
    loop.seed()
    ups = [loop.popen("up", env={"LOOOP_INTERVAL": "3600"}) for _ in range(2)]
    outs = [p.communicate(timeout=60)[0] for p in ups]
    assert [p.returncode for p in ups] == [0, 0], outs
    assert sum("pulse started" in o for o in outs) == 1 and sum("already running" in o for o in outs) == 1
    pid = int((loop.data / ".lock" / "pid").read_text())
    wait_output(loop, "pulse", "looop pulse (pid")
    again = loop.run("up")
    assert again.returncode == 0 and f"already running on {loop.data} (pid {pid})" in again.stdout

    start(loop, "busy", "hang")
    start(loop, "stubborn", "ignore-term", "hang")
    ids = [s["id"] for s in ls_json(loop)["sessions"]]
    assert ids[0] == "looop-pulse" and sorted(ids[1:]) == ["looop-busy", "looop-stubborn"]
    snap = json.loads(loop.run("status", "--json").stdout)
    assert schemas.problems("status", snap) == []
    assert snap["pulse"]["running"] and snap["pulse"]["session"] and snap["pulse"]["pid"] == pid
    assert [w["id"] for w in snap["workers"]] == ["looop-busy", "looop-stubborn"]  # the pulse is no worker
    assert "as the session pulse" in loop.run("status").stdout

    down = loop.run("down", "--grace", "1")
    assert down.returncode == 0, down.stdout + down.stderr
    assert "stopped pulse (session pulse" in down.stdout
    assert "stopped worker busy" in down.stdout and "stopped worker stubborn" in down.stdout
    wait_for(lambda: gone(pid), what="the pulse to end")
    assert not any(s["alive"] for s in ls_json(loop)["sessions"])
    none = loop.run("down")
    assert none.returncode == 0 and "no pulse running" in none.stdout


def test_attach_pulse_shows_the_pulse_live(loop):
    use_fake_worker(loop)
    loop.seed()
    assert loop.run("up", env={"LOOOP_INTERVAL": "3600"}).returncode == 0
    term = Term(loop, "attach", "pulse")
    try:
        term.expect("looop pulse (pid")
        term.expect("next beat in ")
    finally:
        term.close()
        assert loop.run("down").returncode == 0


def test_down_stops_a_pulse_running_in_the_foreground(loop):
    use_fake_worker(loop)
    loop.seed()
    proc = loop.popen(env={"LOOOP_INTERVAL": "3600"})
    try:
        wait_for(lambda: (loop.data / ".pulse.json").exists(), 30, "the pulse to plan its sleep")
        down = loop.run("down")
        assert down.returncode == 0 and f"stopped pulse (pid {proc.pid}): stopped" in down.stdout
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)


def test_pulse_is_not_a_worker_id(loop):
    use_fake_worker(loop)
    out = loop.run("start-session", "pulse", "hello")
    assert out.returncode == 1 and "the pulse's own session" in out.stderr


def test_up_waits_for_the_first_beat_and_says_how_it_went(loop):
    use_fake_worker(loop, "journal", "first move")
    loop.seed()
    out = loop.run("up", env={"LOOOP_INTERVAL": "3600"})
    try:
        assert out.returncode == 0, out.stderr
        assert "pulse started (pid" in out.stdout and "first beat: decided: " in out.stdout
        assert "first move" in out.stdout
    finally:
        assert loop.run("down").returncode == 0


def test_up_says_so_when_the_pulse_dies_in_its_first_beat(loop):
    agent = loop.root / "agent"
    agent.write_text("#!/bin/sh\ncat >/dev/null\n")
    agent.chmod(0o755)
    loop.write_config(f"{agent} --print")
    loop.seed()
    wrapper = loop.root / "looop-then-uninstall"  # the CLI goes away just as the pulse starts
    wrapper.write_text(f"#!/bin/sh\nrm -f {agent}\nexec {' '.join(looop_argv())} \"$@\"\n")
    wrapper.chmod(0o755)
    out = loop.run("up", env={"LOOOP_BIN": str(wrapper)})
    assert out.returncode == 1 and "pulse started" not in out.stdout
    # whether `up` saw the pulse take its lock before it died is a race; either way it says why, once
    said = "the pulse stopped during its first beat" in out.stderr or "the pulse did not start" in out.stderr
    assert said and "Traceback" not in out.stderr, out.stderr
    assert loop.run("status", "--json").stdout.count('"running": false') == 1


def test_attach_pulse_is_read_only_and_ctrl_c_leaves_the_pulse_running(loop):
    use_fake_worker(loop)
    loop.seed()
    assert loop.run("up", env={"LOOOP_INTERVAL": "3600"}).returncode == 0
    try:
        term = Term(loop, "attach", "pulse")
        term.expect("read-only")
        term.expect("next beat in ")
        term.send("q")
        term.expect("keys are not sent")
        term.send("\x03")
        assert term.wait() == 0
        assert b"down` stops it" in term.seen
        snap = json.loads(loop.run("status", "--json").stdout)
        assert snap["pulse"]["running"] is True, "Ctrl-C in the pulse's view never stops the pulse"
    finally:
        assert loop.run("down").returncode == 0
