"""`looop today`: what the loop did, as one screen and as JSON; attention notes
with ids that `looop attention done` clears, journaled and committed."""

from __future__ import annotations

import json

from looop.core import schemas
from tests.fleet import kit as fleet


def test_today_shows_decisions_workers_asks_cost_and_failures(loop):
    fleet.use_fake_worker(loop, "cost", "0.25", "journal")
    loop.seed()
    assert loop.run("tick").returncode == 0
    fleet.start(loop, "w1", "mailbox-ask", "Go?", "yes,no", "exit", "3")
    fleet.wait_for(lambda: (loop.data / "asks" / "w1-1.json").exists(), what="the ask")
    assert loop.run("answer", "w1-1", "yes").returncode == 0
    fleet.wait_state(loop, "w1", "exited")
    doc = json.loads(loop.run("today", "--json").stdout)
    assert schemas.problems("today", doc) == []
    assert doc["decisions"] == 1 and len(doc["journal"]) == 1
    assert doc["cost_usd"] == 0.25 and doc["runner_calls"] == 1
    assert doc["asks"]["asked"] == 1 and doc["asks"]["answered"] == 1
    [w] = doc["workers"]
    assert (w["id"], w["started"], w["state"], w["exit_code"]) == ("w1", True, "exited", 3)
    assert doc["workers_failed"] == 1
    out = loop.run("today")
    assert out.returncode == 0
    assert "1 decision, 1 worker, 1 asked / 1 answered, $0.25 in 1 runner call" in out.stdout
    assert "w1: started, exited, exit 3" in out.stdout
    bad = loop.run("today", "--since", "soon")
    assert bad.returncode == 2 and "--since 'soon'" in bad.stderr


def test_attention_notes_get_ids_and_done_clears_one_journaled(loop):
    loop.fake("journal")
    loop.seed()
    (loop.data / "attention.md").write_text("- a note written by hand\n")
    from looop.core.paths import resolve
    from looop.moves.execute import execute

    paths = resolve(loop.env)
    execute(paths, {"move": "flag_human", "text": "which repo is CI for?"})
    notes = json.loads(loop.run("attention", "--json").stdout)
    assert [n["id"][0] for n in notes] == ["h", "a"] and notes[1]["id"] == "a1"
    assert "which repo is CI for?" in notes[1]["text"]
    out = loop.run("attention", "done", "a1")
    assert out.returncode == 0, out.stderr
    assert "attention done a1 (human): " in loop.journal()[-1]
    assert "which repo" not in (loop.data / "attention.md").read_text()
    wrong = loop.run("attention", "done", "a9")
    assert wrong.returncode == 1 and "no note 'a9'" in wrong.stderr and notes[0]["id"] in wrong.stderr


def test_an_attention_note_is_notified_once_not_every_beat(loop, tmp_path):
    from tests.mailbox import kit as mailbox

    cmd, out = mailbox.recorder(tmp_path)
    loop.fake("journal", notify_command=cmd)
    loop.seed()
    from looop.core.paths import resolve
    from looop.moves.execute import execute

    execute(resolve(loop.env), {"move": "flag_human", "text": "renew the token"})
    (loop.data / "attention.md").write_text((loop.data / "attention.md").read_text() + "- by hand: disk full\n")
    for _ in range(2):
        assert loop.run("tick").returncode == 0
    sent = [e for e in mailbox.recorded(out) if e["event"] == "attention"]
    assert sorted(e["note"] for e in sent)[0] == "a1" and len(sent) == 2  # each note once
    assert "attention done a1" in next(e for e in sent if e["note"] == "a1")["text"]
