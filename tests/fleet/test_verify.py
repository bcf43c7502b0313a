"""`start-session … --verify CMD`: once the worker ended, a beat runs CMD once in
the data dir and the AI sees the verdict; a failure (or a hang) wakes the loop."""

from __future__ import annotations

import json

from looop.beat import world
from looop.core import schemas
from looop.fleet import Check, Worker
from tests.fleet import kit


def _start(loop, wid: str, verify: str, *moves: str) -> None:
    out = loop.run("start-session", wid, "do it", "--verify", verify,
                   env={"FAKE_WORKER_MOVES": " ".join(moves)})
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"verify: {verify}" in out.stdout


def test_a_worker_that_exits_0_without_the_work_fails_its_verify(loop):
    kit.use_fake_worker(loop, "journal")
    loop.seed()
    check = 'echo checking; test -f reports/lazy.md || { echo "no report written" >&2; exit 4; }'
    _start(loop, "lazy", check, "exit", "0")
    _start(loop, "done", "test -f reports/done.md", "report", "exit", "0")
    assert kit.meta(loop, "lazy")["verify"] == check
    kit.wait_state(loop, "lazy", "exited")
    kit.wait_state(loop, "done", "exited")

    out = loop.run("tick", "--dry-run")  # the verdicts are in before the AI is asked
    assert "verify lazy: fail (exit 4)" in out.stdout
    result = json.loads((kit.session_dir(loop, "lazy") / "verify.json").read_text())
    assert result["result"] == "fail" and result["exit_code"] == 4 and "no report written" in result["tail"]
    data = kit.ls_json(loop)
    assert schemas.problems("ls", data) == []
    by_id = {s["id"]: s for s in data["sessions"]}
    assert by_id["looop-lazy"]["verify"]["result"] == "fail"
    assert by_id["looop-done"]["verify"]["result"] == "pass"
    rows = {ln.split()[0]: ln for ln in loop.run("ls").stdout.splitlines()[1:]}
    assert "fail (4)" in rows["lazy"] and rows["done"].split()[-1] == "pass"

    assert loop.run("tick").returncode == 0 and loop.calls() == 1
    prompt = loop.prompt_copy.read_text()
    assert f"- looop-lazy [exited exit 0]  verify `{check}`: FAILED (exit 4); its output ends:" in prompt
    assert "    no report written" in prompt
    assert "- looop-done [exited exit 0]  verify `test -f reports/done.md`: passed" in prompt
    assert [e["session"] for e in loop.events() if e["event"] == "verify_done"] == ["looop-lazy", "looop-done"]
    assert not kit.session_dir(loop, "lazy").exists(), "pruned once the AI saw its verdict"


def test_a_hanging_verify_is_killed_at_its_timeout_and_the_next_waits_for_the_next_beat(loop):
    kit.use_fake_worker(loop, "journal")
    loop.seed()
    loop.env["LOOOP_VERIFY_TIMEOUT"] = "1"
    hang = "sleep 300 & echo $! > bg-$LOOOP_SESSION_ID.pid; echo started; sleep 300"
    _start(loop, "h1", hang, "exit", "0")
    _start(loop, "h2", hang, "exit", "0")
    kit.wait_state(loop, "h1", "exited")
    kit.wait_state(loop, "h2", "exited")

    assert loop.run("tick").returncode == 0 and loop.calls() == 1
    prompt = loop.prompt_copy.read_text()
    assert "- looop-h1 [exited exit 0]  verify" in prompt and "FAILED (timed out)" in prompt
    assert "[looop: killed after 1s]" in prompt
    assert "- looop-h2 [exited exit 0]  verify" in prompt and "not run yet (next beat)" in prompt
    bg = int((loop.data / "bg-looop-h1.pid").read_text())
    kit.wait_for(lambda: kit.gone(bg), what="the verify's background child to be killed with its group")
    assert not kit.session_dir(loop, "h1").exists()
    assert kit.session_dir(loop, "h2").exists(), "not pruned before its verify ran and was shown"

    assert loop.run("tick").returncode == 0 and loop.calls() == 2  # its failure wakes the loop
    assert "- looop-h2 [exited exit 0]  verify" in loop.prompt_copy.read_text()
    assert "FAILED (timed out)" in loop.prompt_copy.read_text()
    assert not kit.session_dir(loop, "h2").exists()
    assert "world unchanged" in loop.run("tick").stdout


def test_the_verdict_feeds_the_world_hash():
    ended = Worker(id="looop-a", state="exited", exit_code=0, health="dead")
    pending = Worker(id="looop-a", state="exited", exit_code=0, health="dead", verify=Check("make test"))
    passed = Worker(id="looop-a", state="exited", exit_code=0, health="dead",
                    verify=Check("make test", result="pass", exit_code=0, tail="ok 1"))
    failed = Worker(id="looop-a", state="exited", exit_code=0, health="dead",
                    verify=Check("make test", result="fail", exit_code=2, tail="FAIL 1"))
    fields = {world.worker_fields(w) for w in (ended, pending, passed, failed)}
    assert len(fields) == 4
    again = Worker(id="looop-a", state="exited", exit_code=0, health="dead",
                   verify=Check("make test", result="fail", exit_code=2, tail="other output", ran_at="x"))
    assert world.worker_fields(again) == world.worker_fields(failed)  # the tail is shown, not hashed
