"""A real worker in a PTY asks through the mailbox, blocks, and gets the
human's answer (with what the human told it on the way); the loop, `ls`,
NEEDS YOU and `status` show it waiting until then."""

from __future__ import annotations

import json

from looop.core import schemas
from tests.fleet import kit as fleet
from tests.mailbox import kit


def test_a_worker_asks_blocks_and_receives_the_answer_with_what_it_was_told(loop):
    fleet.use_fake_worker(loop, "journal")
    loop.seed()
    fleet.start(loop, "pr12", "mailbox-ask", "Merge PR 12 now?", "yes,no", "told", "hang")
    fleet.wait_output(loop, "pr12", "fake worker pr12: ready")
    [ask] = kit.wait_pending(loop)
    assert (ask["id"], ask["worker"], ask["prompt"], ask["options"]) == ("pr12-1", "pr12", "Merge PR 12 now?",
                                                                         ["yes", "no"])
    assert ask["answer_command"].endswith("answer pr12-1")
    assert schemas.problems("asks", [ask]) == []
    record = json.loads((loop.data / "asks" / "pr12-1.json").read_text())
    assert schemas.problems("ask", record) == []

    # blocked: ls (human and JSON), the prompt's worker section, NEEDS YOU, status
    fleet.wait_for(lambda: fleet.ls_json(loop)["sessions"][0]["waiting_ask"], what="waiting_ask in ls --json")
    row = fleet.ls_json(loop)["sessions"][0]
    assert row["waiting_ask"]["id"] == "pr12-1" and row["state"] == "running"
    assert schemas.problems("ls", fleet.ls_json(loop)) == []
    assert "waiting-ask" in loop.run("ls").stdout
    beat = loop.run("tick")
    assert beat.returncode == 0, beat.stderr
    assert "? pr12-1 (pr12, " in beat.stdout and "Merge PR 12 now? [yes/no]" in beat.stdout
    assert "answer pr12-1 <yes|no>" in beat.stdout
    prompt = loop.prompt_copy.read_text()
    assert "--- pr12-1 (worker pr12, LIVE, " in prompt
    assert "- looop-pr12 [running, waiting-ask for " in prompt
    status = json.loads(loop.run("status", "--json").stdout)
    assert [a["id"] for a in status["pending_asks"]] == ["pr12-1"]
    assert schemas.problems("status", status) == []

    told = loop.run("tell", "pr12", "squash", "it")
    assert told.returncode == 0, told.stderr
    assert fleet.ls_json(loop)["sessions"][0]["tells"] == 1
    tell_record = json.loads((loop.data / "tells" / "pr12-1.json").read_text())
    assert schemas.problems("tell", tell_record) == []

    out = loop.run("answer", "pr12-1", "yes")
    assert (out.returncode, out.stdout) == (0, "answered pr12-1\n"), out.stderr
    assert schemas.problems("answer", json.loads((loop.data / "answers" / "pr12-1.json").read_text())) == []
    text = fleet.wait_output(loop, "pr12", "ask exit: 0")
    got = [ln.strip() for ln in text.splitlines() if ln.startswith("received: ")]
    assert got == ["received: • squash it", "received: ---", "received: yes"]
    assert "told: " not in text  # delivered once, with the answer: `told` finds nothing more
    assert kit.pending(loop) == []
    assert fleet.ls_json(loop)["sessions"][0]["waiting_ask"] is None
    assert fleet.ls_json(loop)["sessions"][0]["tells"] == 0


def test_an_ask_whose_worker_is_gone_is_stranded(loop):
    fleet.use_fake_worker(loop, "journal")
    loop.seed()
    fleet.start(loop, "gone", "mailbox-ask", "Which colour?", "-", "hang")
    kit.wait_pending(loop)
    fleet.wait_for(lambda: fleet.ls_json(loop)["sessions"][0]["waiting_ask"], what="the worker to block")
    assert loop.run("kill", "gone", "--grace", "1").returncode == 0
    assert loop.run("tick").returncode == 0
    prompt = loop.prompt_copy.read_text()
    assert "--- gone-1 (worker gone, STRANDED, " in prompt
    assert "Never answer an ask yourself" in prompt
    assert [a["id"] for a in kit.pending(loop)] == ["gone-1"]  # still pending: the record stays
    refused = loop.run("tell", "gone", "hello")
    assert refused.returncode == 1 and "not running" in refused.stderr
    assert not (loop.data / "tells").exists() or kit.files(loop, "tells") in ([], ["consumed"])


def test_told_delivers_each_message_once_oldest_first(loop):
    fleet.use_fake_worker(loop, "journal")
    loop.seed()
    fleet.start(loop, "steer", "hang")
    fleet.wait_state(loop, "steer", "running")
    for msg in ("first", "second", "third"):
        assert loop.run("tell", "looop-steer", msg).returncode == 0
    env = {"LOOOP_SESSION_ID": "looop-steer"}
    assert loop.run("told", env=env).stdout == "• first\n• second\n• third\n"
    assert loop.run("told", env=env).stdout == ""
    assert loop.run("told", "--worker", "steer").stdout == ""
    assert len(kit.files(loop, "tells/consumed")) == 3
