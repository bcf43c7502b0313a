"""Worker health: busy, waiting-ask, stuck, flagged, dead; a change wakes the loop,
idle seconds never do."""

from __future__ import annotations

import json

from looop.beat import world
from looop.core import schemas
from looop.fleet import Worker, health
from tests.fleet import kit


def _health(loop, wid: str, **env: str) -> str:
    out = loop.run("ls", "--json", env=env)
    assert out.returncode == 0, out.stderr
    return next(s["health"] for s in json.loads(out.stdout)["sessions"] if s["id"] == f"looop-{wid}")


def test_a_quiet_worker_turns_stuck_and_that_wakes_the_loop_once(loop):
    kit.use_fake_worker(loop, "journal")
    loop.seed()
    loop.env["LOOOP_WORKER_STUCK"] = "2"
    kit.start(loop, "q", "say", "working", "hang")
    kit.wait_output(loop, "q", "working")
    assert loop.run("tick").returncode == 0 and loop.calls() == 1
    kit.wait_for(lambda: _health(loop, "q") == "stuck", what="the quiet worker to be stuck")
    assert _health(loop, "q", LOOOP_WORKER_STUCK="0") == "busy"  # 0 = never stuck
    assert loop.run("tick").returncode == 0 and loop.calls() == 2  # busy → stuck wakes the loop
    assert "- looop-q [running, stuck: no output for 0m]" in loop.prompt_copy.read_text()
    assert "world unchanged" in loop.run("tick").stdout  # staying stuck longer does not
    status = json.loads(loop.run("status", "--json").stdout)
    assert schemas.problems("status", status) == []
    assert status["workers"][0]["health"] == "stuck"
    assert "\n    q [running, stuck]" in loop.run("status").stdout  # the id the user types
    lines = loop.run("ls").stdout.splitlines()
    assert lines[1].split()[:3] == ["q", "running", "stuck"]


def test_output_resets_the_stuck_clock(loop):
    kit.use_fake_worker(loop)
    loop.env["LOOOP_WORKER_STUCK"] = "3"
    kit.start(loop, "e", "echo")

    def idle() -> float:
        return next(s["idle_s"] for s in kit.ls_json(loop)["sessions"] if s["id"] == "looop-e")

    term = kit.Term(loop, "attach", "e")
    try:
        kit.wait_for(lambda: _health(loop, "e") == "stuck", what="the idle worker to be stuck")
        before = idle()
        term.send("ping\r")
        term.expect("echo: ping")
        assert idle() < before  # its output is news: the quiet spell starts over
    finally:
        term.close()


def test_health_order_dead_flagged_waiting_ask_stuck_busy():
    quiet = Worker(id="looop-a", state="running", idle_s=5000.0)
    assert health.classify(quiet, 900) == "stuck"
    assert health.classify(quiet, 0) == "busy"
    assert health.classify(Worker(id="looop-a", state="running", idle_s=1.0), 900) == "busy"
    assert health.classify(quiet, 900, ask_age=3.0) == "waiting-ask"
    flagged = Worker(id="looop-a", state="running", note="ok?", idle_s=5000.0)
    assert health.classify(flagged, 900, ask_age=3.0) == "flagged"
    for state in ("exited", "killed", "dead"):
        assert health.classify(Worker(id="looop-a", state=state, note="ok?"), 900, ask_age=1.0) == "dead"


def test_the_ask_mapping_marks_workers_waiting_by_either_id():
    ws = [Worker(id="looop-a", state="running"), Worker(id="looop-b", state="running"),
          Worker(id="looop-c", state="exited")]
    got = health.assess(ws, 900, {"a": 120.0, "looop-c": 5.0})
    assert [w.health for w in got] == ["waiting-ask", "busy", "dead"]
    assert got[0].waiting_s == 120.0 and got[2].waiting_s is None


def test_health_feeds_the_world_hash_and_idle_seconds_do_not():
    busy = Worker(id="looop-a", state="running", idle_s=1.0, age_s=5.0)
    later = Worker(id="looop-a", state="running", idle_s=400.0, age_s=500.0)
    assert world.worker_fields(busy) == world.worker_fields(later)
    stuck = health.assess([later], 300, {})[0]
    assert world.worker_fields(stuck) != world.worker_fields(busy)


def test_a_bad_stuck_knob_is_one_line_naming_it(loop):
    kit.use_fake_worker(loop)
    kit.start(loop, "s", "hang")
    for verb in ("ls", "status"):  # every verb checks the knobs first, before it touches anything
        out = loop.run(verb, env={"LOOOP_WORKER_STUCK": "soon"})
        assert out.returncode == 2
        assert out.stderr.strip().splitlines() == [
            "looop: LOOOP_WORKER_STUCK='soon': must be a whole number of seconds >= 0"]
    status = loop.run("status", "--json")
    assert status.returncode == 0 and json.loads(status.stdout)["workers"][0]["health"] == "busy"
