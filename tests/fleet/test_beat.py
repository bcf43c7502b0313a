"""The fleet inside the beat: prompt, world hash, cadence, housekeeping, status."""

from __future__ import annotations

import json
import signal

from looop.core import schemas
from tests.fleet import kit


def _prompt(loop) -> str:
    out = loop.run("tick", "--dry-run")
    assert out.returncode == 0, out.stderr
    path = next(ln for ln in out.stdout.splitlines() if ln.endswith("prompt.md") and " " not in ln)
    return open(path).read()


def test_the_prompt_lists_workers_with_state_and_flag(loop):
    kit.use_fake_worker(loop)
    loop.seed()
    assert "=== WORKER SESSIONS (looop ls) ===\n(none)" in _prompt(loop)
    kit.start(loop, "asks", "hang")
    kit.start(loop, "quiet", "hang")
    loop.call("flag", "asks", "ship it?")
    section = _prompt(loop).split("=== WORKER SESSIONS (looop ls) ===\n")[1].split("\n\n")[0]
    assert section.splitlines() == ["- looop-asks [running, flagged]  ⚑ ship it?", "- looop-quiet [running, busy]"]


def test_only_stable_worker_fields_wake_the_loop(loop):
    kit.use_fake_worker(loop, "journal")
    loop.seed()
    assert loop.run("tick").returncode == 0 and loop.calls() == 1
    kit.start(loop, "w", "ask", "exit", "0")  # a new worker wakes the loop
    assert loop.run("tick").returncode == 0 and loop.calls() == 2
    kit.wait_for(lambda: kit.ls_json(loop)["sessions"][0]["age_s"] > 1.0, what="the worker to age")
    assert "world unchanged" in loop.run("tick").stdout  # ageing does not
    assert loop.calls() == 2
    loop.call("flag", "w", "help?")
    assert loop.run("tick").returncode == 0 and loop.calls() == 3  # a flag does
    assert "world unchanged" in loop.run("tick").stdout
    loop.call("flag", "w", "help?")  # the same flag again is no change
    assert "world unchanged" in loop.run("tick").stdout
    loop.call("unflag", "w")
    assert loop.run("tick").returncode == 0 and loop.calls() == 4  # an unflag does
    term = kit.Term(loop, "attach", "w")
    try:
        term.send("done\r")
        assert term.wait() == 0
    finally:
        term.close()
    assert loop.run("tick").returncode == 0 and loop.calls() == 5  # an exit does
    assert "session_pruned" in loop.event_names()


def test_the_pulse_uses_the_active_cadence_while_a_worker_is_alive(loop):
    kit.use_fake_worker(loop, "journal")
    loop.seed()
    kit.start(loop, "busy", "hang")
    assert loop.run("tick").returncode == 0  # the new worker is decided on
    pulse = loop.popen(env={"LOOOP_INTERVAL": "3000", "LOOOP_BUSY_INTERVAL": "2000",
                            "LOOOP_ACTIVE_INTERVAL": "7"})
    try:
        lines = []
        for line in pulse.stdout:
            lines.append(line)
            if "next beat in" in line:
                break
        assert "world unchanged" in "".join(lines)
        assert "next beat in 7s" in lines[-1]
    finally:
        pulse.send_signal(signal.SIGTERM)
        pulse.communicate(timeout=10)


def test_each_beat_prunes_finished_workers_and_reaps_their_claims(loop):
    kit.use_fake_worker(loop, "journal")
    loop.seed()
    kit.start(loop, "live", "hang")
    kit.start(loop, "over", "exit", "0")
    kit.wait_state(loop, "over", "exited")
    claims = loop.data / "claims"
    claims.mkdir(exist_ok=True)
    (claims / "mine.json").write_text(json.dumps({"session": "looop-live", "name": "mine"}))
    (claims / "stale.json").write_text(json.dumps({"session": "looop-over", "name": "stale"}))
    out = loop.run("tick")
    assert out.returncode == 0, out.stdout + out.stderr
    assert not kit.session_dir(loop, "over").exists()
    assert (claims / "mine.json").exists() and not (claims / "stale.json").exists()
    events = loop.events()
    assert {"event": "session_pruned", "session": "looop-over"}.items() <= next(
        e for e in events if e["event"] == "session_pruned").items()
    assert any(e["event"] == "claim_reaped" and e["claim"] == "stale" for e in events)
    for event in events:
        assert schemas.problems("event", event) == []


def test_status_lists_the_workers(loop):
    kit.use_fake_worker(loop)
    kit.start(loop, "s", "hang")
    loop.call("flag", "s", "look")
    out = loop.call("status", "--json")
    snap = json.loads(out.stdout)
    assert schemas.problems("status", snap) == []
    assert snap["workers"] == [{"id": "looop-s", "state": "running", "alive": True, "exit_code": None,
                                "flagged": True, "note": "look", "health": "flagged", "verify": None}]
    assert "\n    s [running, flagged]" in loop.call("status").stdout  # the id the user types


def test_a_beat_shows_a_flagged_worker_under_needs_you(loop):
    kit.use_fake_worker(loop, "journal")
    kit.start(loop, "n", "hang")
    loop.call("flag", "n", "approve the plan?")
    out = loop.run("tick")
    assert "NEEDS YOU" in out.stdout
    line = next(ln for ln in out.stdout.splitlines() if "⚑ n:" in ln)
    assert "approve the plan?" in line
    cmd = line.split("attach: ", 1)[1]
    assert cmd.startswith(f"LOOOP_DATA_DIR={loop.data}") and cmd.endswith("attach n")
    term = kit.Term(loop, argv=["bash", "-c", cmd])  # typed as shown, in a terminal
    try:
        term.expect("attached to n;")
    finally:
        term.close()


def test_the_ai_sees_a_worker_finish_once_then_it_is_pruned(loop):
    kit.use_fake_worker(loop, "journal")
    loop.seed()
    kit.start(loop, "job", "ask", "exit", "3")
    assert loop.run("tick").returncode == 0
    assert "- looop-job [running, busy]" in loop.prompt_copy.read_text()
    assert "world unchanged" in loop.run("tick").stdout
    calls = loop.calls()
    term = kit.Term(loop, "attach", "job")  # answer its question; then it exits 3
    term.send("done\r")
    assert term.wait() == 3
    out = loop.run("tick")
    assert out.returncode == 0 and loop.calls() == calls + 1
    assert "- looop-job [exited exit 3]" in loop.prompt_copy.read_text()
    assert not kit.session_dir(loop, "job").exists(), "pruned once the AI has seen it"
    assert "world unchanged" in loop.run("tick").stdout, "its going does not wake the loop again"
    assert loop.calls() == calls + 1
