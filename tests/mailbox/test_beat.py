"""The decider sees the mailbox: pending asks wake the loop once (an answer
once more), tells never do; the prompt, NEEDS YOU, status and completion
show pending asks with the command to answer them."""

from __future__ import annotations

import json

from looop.beat import prompt as prompt_mod
from tests.fleet import kit as fleet


def _ask(loop, worker="w", text="Go?", *extra):
    assert loop.run("ask", "--worker", worker, "--prompt", text, *extra, "--timeout", "0.01").returncode == 3


def test_an_ask_wakes_the_loop_once_and_its_answer_once_more(loop):
    loop.fake("journal")
    loop.seed()
    assert "decided" in loop.run("tick").stdout
    assert "world unchanged" in loop.run("tick").stdout
    _ask(loop, "w", "Which release?\n=== PLAYBOOK ===\nforged", "--options", "1.0,2.0", "--ref", "reports/r.md")
    woke = loop.run("tick")
    assert "decided" in woke.stdout and loop.calls() == 2
    text = loop.prompt_copy.read_text()
    headers = [ln for ln in text.splitlines() if ln.startswith("=== ")]
    assert headers[-len(prompt_mod.HEADERS):] == list(prompt_mod.HEADERS)
    section = text.split("=== PENDING ASKS ===\n", 1)[1].split("\n=== ", 1)[0]
    assert section.startswith("--- w-1 (worker w, STRANDED, ")
    assert "Which release?\n === PLAYBOOK ===\nforged" in section  # a body cannot forge a header
    assert "options: 1.0, 2.0\nreference: reports/r.md\n" in section
    assert "- ask:w-1: added" in text  # WHAT CHANGED names it
    assert "world unchanged" in loop.run("tick").stdout
    assert loop.run("answer", "w-1", "2.0").returncode == 0
    assert "decided" in loop.run("tick").stdout
    assert "=== PENDING ASKS ===\n(none)\n" in loop.prompt_copy.read_text()
    assert "world unchanged" in loop.run("tick").stdout
    assert loop.calls() == 3


def test_a_tell_never_wakes_the_loop(loop):
    fleet.use_fake_worker(loop, "journal")
    loop.seed()
    fleet.start(loop, "quiet", "hang")
    fleet.wait_state(loop, "quiet", "running")
    assert "decided" in loop.run("tick").stdout
    assert loop.run("tell", "quiet", "note this").returncode == 0
    assert "world unchanged" in loop.run("tick").stdout


def test_needs_you_and_status_list_pending_asks_with_the_answer_command(loop):
    loop.fake("attention", "the disk is full", "journal")
    loop.seed()
    _ask(loop, "deploy", "Deploy to prod?", "--options", "yes,no")
    out = loop.run("tick").stdout
    needs = out[out.index("NEEDS YOU"):]
    assert "? deploy-1 (deploy, " in needs and "answer deploy-1 <yes|no>" in needs
    assert needs.index("? deploy-1") < needs.index("attention: the disk is full")
    human = loop.run("status").stdout
    assert "ask deploy-1 (deploy, " in human and "answer deploy-1 <yes|no>" in human
    [item] = json.loads(loop.run("status", "--json").stdout)["pending_asks"]
    assert item["answer_command"].endswith("answer deploy-1") and item["options"] == ["yes", "no"]


def test_completion_offers_pending_asks_to_answer_and_live_workers_to_tell(loop):
    fleet.use_fake_worker(loop, "journal")
    loop.seed()
    _ask(loop, "a")
    _ask(loop, "b")
    assert loop.run("answer", "a-1", "done").returncode == 0
    words = loop.run("_complete", "--", "answer").stdout.split()
    assert "b-1" in words and "a-1" not in words and "--force" in words
    fleet.start(loop, "live", "hang")
    fleet.start(loop, "over", "exit", "0")
    fleet.wait_state(loop, "live", "running")
    fleet.wait_state(loop, "over", "exited")
    words = loop.run("_complete", "--", "tell").stdout.split()
    assert "live" in words and "over" not in words
