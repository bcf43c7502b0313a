"""Bad input to the mailbox verbs: one line naming what and where, exit 1,
nothing written; and the guarantees a human relies on (exactly once)."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from looop.core import schemas
from tests.fleet import kit as fleet
from tests.mailbox import kit


def one_line_error(out: subprocess.CompletedProcess[str], code: int = 1) -> str:
    assert out.returncode == code, (out.returncode, out.stdout, out.stderr)
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
    return out.stderr


def test_an_empty_prompt_is_refused(loop):
    err = one_line_error(loop.run("ask", "--worker", "w", "--prompt", "  "))
    assert "prompt is empty" in err
    assert kit.files(loop, "asks") == []


def test_an_ask_needs_a_worker_id(loop):
    err = one_line_error(loop.run("ask", "--prompt", "Go?"))
    assert "no worker id" in err and "LOOOP_SESSION_ID" in err
    assert kit.files(loop, "asks") == []


@pytest.mark.parametrize("hostile", ["../x", "a b", "$(touch pwned)", ".hidden", "-rf", "x/y", "a\nb"])
def test_a_hostile_worker_id_is_refused(loop, hostile):
    err = one_line_error(loop.run("ask", "--worker", hostile, "--prompt", "Go?"))
    assert "worker id" in err and "not a plain name" in err
    err = one_line_error(loop.run("ask", "--prompt", "Go?", env={"LOOOP_SESSION_ID": hostile}))
    assert kit.files(loop, "asks") == []
    assert not (loop.root / "pwned").exists() and not (loop.data.parent / "x.json").exists()


def test_a_hostile_ask_id_is_refused_by_answer(loop):
    for hostile in ("../asks/x", ".x", "$(id)"):
        assert "not a plain name" in one_line_error(loop.run("answer", hostile, "yes"))
    assert kit.files(loop, "answers") == []


def test_answer_is_written_once_and_each_mistake_is_one_line(loop):
    assert loop.run("ask", "--worker", "w", "--prompt", "Go?", "--timeout", "0.01").returncode == 3
    assert "no ask 'nope'" in one_line_error(loop.run("answer", "nope", "yes"))
    assert "empty" in one_line_error(loop.run("answer", "w-1", "   "))
    assert "empty" in one_line_error(loop.run("answer", "w-1", input=""))
    assert kit.files(loop, "answers") == []
    assert loop.run("answer", "w-1", "yes").stdout == "answered w-1\n"
    err = one_line_error(loop.run("answer", "w-1", "no"))
    assert "already answered by cli ('yes'" in err and "--force" in err
    assert json.loads((loop.data / "answers/w-1.json").read_text())["answer"] == "yes"
    assert loop.run("answer", "w-1", "--force", "no").returncode == 0
    assert json.loads((loop.data / "answers/w-1.json").read_text())["answer"] == "no"
    assert kit.files(loop, "answers") == ["w-1.json"]  # no temp file left beside it


def test_a_10_mb_answer_is_refused_above_the_cap(loop):
    assert loop.run("ask", "--worker", "w", "--prompt", "Paste the log?", "--timeout", "0.01").returncode == 3
    err = one_line_error(loop.run("answer", "w-1", "-", input="x" * 10_000_000))
    assert "65536-byte cap" in err
    assert kit.files(loop, "answers") == []
    ok = loop.run("answer", "w-1", input="line one\nline two\n")
    assert ok.returncode == 0
    assert json.loads((loop.data / "answers/w-1.json").read_text())["answer"] == "line one\nline two"


def test_two_humans_answering_at_once_exactly_one_wins(loop):
    for n in range(1, 6):
        assert loop.run("ask", "--worker", "race", "--prompt", f"Q{n}?", "--timeout", "0.01").returncode == 3
        racers = [loop.popen("answer", f"race-{n}", who, stderr=subprocess.PIPE) for who in ("alice", "bob")]
        results = [(p.wait(30), p.stdout.read(), p.stderr.read()) for p in racers]
        winners = [r for r in results if r[0] == 0]
        assert len(winners) == 1, results
        loser = next(r for r in results if r[0] != 0)
        assert "already answered" in loser[2]
        given = json.loads((loop.data / f"answers/race-{n}.json").read_text())["answer"]
        assert given == ("alice", "bob")[results.index(winners[0])]


def test_a_corrupt_answer_makes_the_waiting_worker_ask_for_force(loop):
    waiter = loop.popen("ask", "--worker", "w", "--prompt", "Go?", stderr=subprocess.PIPE)
    try:
        kit.wait_pending(loop)
        (loop.data / "answers").mkdir(exist_ok=True)
        (loop.data / "answers" / "w-1.json").write_text("{not json")
        assert waiter.wait(20) == 1
        err = waiter.stderr.read()
        assert waiter.stdout.read() == ""
        assert "not a valid answer" in err and "answer w-1 --force" in err and "Traceback" not in err
    finally:
        waiter.kill()
    listed = loop.run("asks", "--all").stdout
    assert "unreadable" in listed and "--force" in listed
    assert loop.run("answer", "w-1", "--force", "go").returncode == 0


def test_the_ask_file_deleted_while_a_worker_waits(loop):
    waiter = loop.popen("ask", "--worker", "w", "--prompt", "Go?", stderr=subprocess.PIPE)
    try:
        kit.wait_pending(loop)
        (loop.data / "asks" / "w-1.json").unlink()
        assert waiter.wait(20) == 1
        assert "was deleted while waiting" in waiter.stderr.read()
    finally:
        waiter.kill()


def test_a_timeout_exits_3_and_the_ask_stays_pending(loop):
    out = loop.run("ask", "--worker", "w", "--prompt", "Go?", "--timeout", "0.2")
    assert out.returncode == 3 and out.stdout == "" and "stays pending" in out.stderr
    out = loop.run("ask", "--worker", "w", "--prompt", "Again?", env={"LOOOP_ASK_TIMEOUT": "0.2"})
    assert out.returncode == 3
    assert [a["id"] for a in kit.pending(loop)] == ["w-1", "w-2"]
    bad = one_line_error(loop.run("ask", "--worker", "w", "--prompt", "x", env={"LOOOP_ASK_TIMEOUT": "soon"}), 2)
    assert "LOOOP_ASK_TIMEOUT" in bad
    assert len(kit.pending(loop)) == 2


def test_ask_numbers_never_reuse_an_answered_id(loop):
    for n in range(2):
        assert loop.run("ask", "--worker", "w", "--prompt", f"Go {n}?", "--timeout", "0.01").returncode == 3
    assert loop.run("answer", "w-2", "yes").returncode == 0
    (loop.data / "asks" / "w-2.json").unlink()  # even with its ask gone, w-2 stays taken
    assert loop.run("ask", "--worker", "w", "--prompt", "Go 3?", "--timeout", "0.01").returncode == 3
    assert kit.files(loop, "asks") == ["w-1.json", "w-3.json"]


def test_tell_refuses_unknown_and_dead_workers_and_empty_messages(loop):
    fleet.use_fake_worker(loop, "journal")
    loop.seed()
    assert "not running (live workers: none)" in one_line_error(loop.run("tell", "ghost", "hi"))
    fleet.start(loop, "brief", "exit", "0")
    fleet.wait_state(loop, "brief", "exited")
    assert "not running" in one_line_error(loop.run("tell", "brief", "hi"))
    fleet.start(loop, "live", "hang")
    fleet.wait_state(loop, "live", "running")
    assert "empty" in one_line_error(loop.run("tell", "live", " "))
    assert "not a plain name" in one_line_error(loop.run("tell", "../live", "hi"))
    assert kit.files(loop, "tells") == []


def test_asks_lists_oldest_first_and_prunes_old_answered_pairs(loop):
    assert loop.run("asks").stdout == "no pending asks\n"
    assert json.loads(loop.run("asks", "--json").stdout) == []
    for worker, q in (("b", "First?"), ("a", "Second?")):
        assert loop.run("ask", "--worker", worker, "--prompt", q, "--options", "x,y", "--ref", "reports/r.md",
                        "--timeout", "0.01").returncode == 3
        time.sleep(1.05)  # ask stamps are whole seconds: make the order visible
    listed = loop.run("asks").stdout
    assert listed.index("b-1") < listed.index("a-1")
    assert "ref:     reports/r.md" in listed and "answer b-1 <x|y>" in listed
    assert loop.run("answer", "b-1", "x").returncode == 0
    assert [a["id"] for a in kit.pending(loop)] == ["a-1"]
    every = json.loads(loop.run("asks", "--json", "--all").stdout)
    assert schemas.problems("asks", every) == []
    assert [(a["id"], a["answered"], a.get("answer", {}).get("answer")) for a in every] == [
        ("b-1", True, "x"), ("a-1", False, None)]
    assert loop.run("asks", "--prune", "1").stdout.startswith("pruned 0 ")
    old = loop.data / "answers" / "b-1.json"
    record = json.loads(old.read_text())
    old.write_text(json.dumps({**record, "ts": "2020-01-01T00:00:00Z"}))
    assert loop.run("asks", "--prune", "1").stdout.startswith("pruned 1 ")
    assert kit.files(loop, "asks") == ["a-1.json"] and kit.files(loop, "answers") == []
    assert "--prune" in one_line_error(loop.run("asks", "--prune", "soon"), 2)


def test_200_pending_asks(loop):
    loop.fake("journal")
    loop.seed()
    (loop.data / "asks").mkdir()
    for n in range(200):
        rec = {"v": 1, "id": f"w{n}-1", "worker": f"w{n}", "prompt": f"Question {n}?", "ts": "2026-01-01T00:00:00Z"}
        (loop.data / "asks" / f"w{n}-1.json").write_text(json.dumps(rec))
    listed = json.loads(loop.run("asks", "--json").stdout)
    assert len(listed) == 200 and schemas.problems("asks", listed) == []
    first = loop.run("tick")
    assert first.returncode == 0 and "decided" in first.stdout
    assert "… and 190 more pending asks" in first.stdout
    prompt = loop.prompt_copy.read_text()
    assert prompt.count(", STRANDED, ") == 200
    assert "world unchanged" in loop.run("tick").stdout
    assert loop.run("answer", "w7-1", "done").returncode == 0
    assert "decided" in loop.run("tick").stdout  # an answer wakes the loop once
    assert "world unchanged" in loop.run("tick").stdout


def test_an_ask_cannot_drive_the_humans_terminal(loop):
    hostile = "Merge?\x1b]0;pwned\x07\x1b[2J"
    assert loop.run("ask", "--worker", "w", "--prompt", hostile, "--options", "yes,\x1b[31mno",
                    "--timeout", "0.01").returncode == 3
    for out in (loop.call("asks").stdout, loop.call("status").stdout):
        assert "Merge?" in out
        assert "\x1b]" not in out and "\x1b[2J" not in out and "\x1b[31m" not in out


def test_an_answer_outside_the_options_is_refused_unless_forced(loop):
    assert loop.run("ask", "--worker", "w", "--prompt", "Ship?", "--options", "Yes,No",
                    "--timeout", "0.01").returncode == 3
    err = one_line_error(loop.run("answer", "w-1", "maybe"))
    assert "not one of w-1's options: Yes, No" in err and "--force" in err
    assert kit.files(loop, "answers") == []
    assert loop.run("answer", "w-1", "yes").returncode == 0
    assert json.loads((loop.data / "answers/w-1.json").read_text())["answer"] == "Yes", "spelled as the ask spells it"
    assert loop.run("answer", "w-1", "--force", "maybe later").returncode == 0
    assert json.loads((loop.data / "answers/w-1.json").read_text())["answer"] == "maybe later"
