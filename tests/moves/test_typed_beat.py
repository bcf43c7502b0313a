"""A beat in typed mode, end to end: the real `looop tick`, the fake runner
describing its move in .decision.json, looop checking and making it."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from tests.fleet import kit


def typed(loop, *moves, **extra):
    """The fake runner in typed mode; a `decide TEXT` goes through a file, verbatim."""
    moves = list(moves)
    for n, word in enumerate(moves[:-1]):
        if word == "decide":
            path = loop.root / f"decision-{n}.txt"
            path.write_text(moves[n + 1] + "\n")
            moves[n:n + 2] = ["decide-from", str(path)]
    loop.fake(*moves, moves="typed", **extra)


def decide(loop, move: dict, **extra):
    typed(loop, "decide", json.dumps(move), **extra)


def _stamp(prompt: str) -> str:
    return re.search(r"stamped\s+(\d{4}-\d{2}-\d{2} \d{2}:\d{2})", prompt).group(1)


def test_a_typed_beat_makes_the_described_move_and_journals_it_itself(loop):
    loop.seed()
    before = len(loop.journal())
    decide(loop, {"move": "write_goal", "id": "fix-ci", "body": "# Fix CI\nred since 09:12\n",
                  "journal": "fix-ci: CI went red"})
    out = loop.run("tick")
    assert out.returncode == 0, out.stdout + out.stderr
    assert (loop.data / "goals" / "fix-ci.md").read_text() == "# Fix CI\nred since 09:12\n"
    prompt = loop.prompt_copy.read_text()
    (line,) = loop.journal()[before:]
    stamp, text = line[2:18], line[19:]
    assert text == "fix-ci: CI went red"
    assert stamp in (_stamp(prompt), time.strftime("%Y-%m-%d %H:%M")), "looop's local stamp, not the runner's"
    assert not list(loop.data.glob(".decision*"))
    assert (loop.data / ".last-tick-hash").read_text().strip()
    assert "decided in" in out.stdout and "fix-ci: CI went red" in out.stdout


def test_the_typed_prompt_lists_the_moves_and_puts_the_rules_above_the_playbook(loop):
    typed(loop, "decide", '{"move": "noop"}')
    loop.seed()
    prompt = Path(loop.run("tick", "--dry-run").stdout.strip().splitlines()[-1]).read_text()
    for move in ("noop", "run_shell", "write_goal", "archive_goal", "write_sensor", "propose_playbook",
                 "start_worker", "kill_worker", "flag_human"):
        assert f"  {move} " in prompt
    (own,) = set(re.findall(r"to (\.decision-\d+-[0-9a-f]+\.json) in this directory", prompt))
    assert f"Example {own}:" in prompt, "the prompt names this beat's own decision file"
    example = prompt.split(f"Example {own}:\n")[1].splitlines()[0]
    assert json.loads(example)["move"] == "write_goal"
    assert "append exactly ONE line to journal.md" not in prompt
    assert prompt.index("=== RULES ===") < prompt.index("=== PLAYBOOK ===")
    assert "can change or weaken them" in prompt.split("=== RULES ===")[1].split("=== PLAYBOOK ===")[0]


def test_a_config_without_the_key_keeps_the_agent_runner(loop):
    loop.fake("journal", "by hand")
    assert loop.run("tick").returncode == 0
    prompt = loop.prompt_copy.read_text()
    assert "=== RULES ===" not in prompt and ".decision" not in prompt
    assert loop.journal()[-1].endswith(" by hand")


def test_init_and_the_first_run_config_write_typed(loop):
    assert loop.run("init", "--runner", "pi").returncode == 0
    assert json.loads(loop.config.read_text())["moves"] == "typed"
    loop.config.unlink()
    loop.run("tick", "--dry-run")
    assert json.loads(loop.config.read_text())["moves"] == "typed"


def test_a_leftover_decision_is_removed_before_the_runner_starts(loop):
    loop.seed()
    (loop.data / ".decision.json").write_text('{"move": "write_goal", "id": "stale", "body": "old"}')
    typed(loop, "say", "thinking")
    out = loop.run("tick")
    assert out.returncode == 1 and "no decision" in out.stdout + out.stderr
    assert not (loop.data / "goals" / "stale.md").exists()


FAILURES = [
    ("invalid JSON", ["decide", '{"move": "noop",'], "not valid JSON"),
    ("unknown move", ["decide", '{"move": "dance"}'], "move: 'dance' is not one of"),
    ("missing field", ["decide", '{"move": "write_goal", "id": "x"}'], "'body' is a required property"),
    ("refused command", ["decide", '{"move": "run_shell", "cmd": "true && s\\"u\\"do ls"}'], "deny-list: sudo"),
    ("non-zero exit", ["decide", '{"move": "run_shell", "cmd": "echo boom; exit 3"}'], "run_shell exited 3"),
    ("no decision", ["say", "nothing to say"], "no decision"),
    ("symlink", ["sh", "echo '{\"move\":\"noop\"}' >real.json; ln -s real.json \"$LOOOP_DECISION\""], "is a symlink"),
    ("directory", ["sh", "mkdir \"$LOOOP_DECISION\""], "is a directory"),
    ("binary", ["sh", "printf '{\"move\":\\0\"noop\"}' >\"$LOOOP_DECISION\""], "is binary"),
    ("two objects", ["decide", '{"move": "noop"} {"move": "noop"}'], "more than one JSON value"),
    ("fence and prose", ["decide", '```json\n{"move": "noop"}\n```\nI chose to wait.'], "text after its code fence"),
    ("prose after JSON", ["decide", '{"move": "noop"} because nothing changed'], "text after the JSON object"),
    ("10 MB body", ["decide", json.dumps({"move": "write_goal", "id": "big", "body": "x" * 10_000_000})],
     "over the 262144-byte cap"),
    ("bad goal id", ["decide", '{"move": "write_goal", "id": "../escape", "body": "x"}'],
     "id: '../escape' does not match"),
    ("unknown worker", ["decide", '{"move": "kill_worker", "id": "ghost"}'], "ghost"),
    ("schedule under the floor", ["decide", '{"move": "write_schedule", "name": "often", "every_s": 10}'],
     "under the 60 s floor"),
    ("drop an unknown schedule", ["decide", '{"move": "drop_schedule", "name": "ghost"}'], "no schedule 'ghost'"),
]


@pytest.mark.parametrize("what, moves, reason", FAILURES, ids=[f[0] for f in FAILURES])
def test_a_failed_move_fails_the_beat(loop, what, moves, reason):
    loop.seed()
    before = loop.journal()
    typed(loop, *moves)
    out = loop.run("tick")
    assert out.returncode == 1, out.stdout
    assert reason in out.stdout + out.stderr
    assert loop.journal() == before, "a failed move writes no journal line"
    assert not (loop.data / ".last-tick-hash").exists(), "the hash stays unsaved"
    assert not list(loop.data.glob(".decision*")), "the beat's own decision file is gone"
    assert "tick_failed" in loop.event_names()
    assert not (loop.data / "goals" / "big.md").exists() and not (loop.data.parent / "escape.md").exists()
    # the next beat is told why, in the decider's own words
    typed(loop, "decide", '{"move": "noop"}')
    assert loop.run("tick").returncode == 0
    failure = loop.prompt_copy.read_text().split("=== LAST FAILURE ===\n")[1]
    assert reason in failure.split("===")[0]


def test_one_code_fence_around_the_move_is_tolerated(loop):
    loop.seed()
    typed(loop, "decide", '```json\n{"move": "noop", "reason": "all quiet"}\n```')
    out = loop.run("tick")
    assert out.returncode == 0, out.stdout
    assert loop.journal()[-1].endswith(" noop: all quiet")


def test_run_shell_output_is_shown_once_in_the_next_prompt_and_the_next_beat_comes_soon(loop):
    loop.seed()
    decide(loop, {"move": "run_shell", "cmd": "echo hello from the shell; pwd"})
    assert loop.run("tick").returncode == 0
    assert (loop.data / ".next-interval").read_text().strip() == "5"
    assert loop.journal()[-1].endswith("run-shell: echo hello from the shell; pwd")
    decide(loop, {"move": "noop"})
    out = loop.run("tick")  # the world is unchanged, but the output has not been seen yet
    assert out.returncode == 0 and "world unchanged" not in out.stdout
    section = loop.prompt_copy.read_text().split("=== RUN_SHELL OUTPUT ===\n")[1].split("\n===")[0]
    assert "exited 0" in section and "hello from the shell" in section and str(loop.data) in section
    (loop.data / "goals" / "new.md").write_text("wake")
    assert loop.run("tick").returncode == 0
    assert "=== RUN_SHELL OUTPUT ===" not in loop.prompt_copy.read_text()


def test_a_move_may_choose_the_next_interval(loop):
    loop.seed()
    decide(loop, {"move": "run_shell", "cmd": "true", "next_interval_s": 600})
    assert loop.run("tick").returncode == 0
    assert (loop.data / ".next-interval").read_text().strip() == "600"


def test_run_shell_that_outlives_its_timeout_dies_with_its_whole_group(loop):
    loop.seed()
    decide(loop, {"move": "run_shell", "cmd": "sleep 60 & echo $! >bg.pid; sleep 60"})
    started = time.monotonic()
    out = loop.run("tick", env={"LOOOP_SHELL_TIMEOUT": "1"})
    assert out.returncode == 1 and "timed out after 1s" in out.stdout
    assert time.monotonic() - started < 30
    bg = int((loop.data / "bg.pid").read_text())
    stat = Path(f"/proc/{bg}/stat")
    kit.wait_for(lambda: not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] == "Z",
                 what="the group to die")


def test_a_command_interrupted_by_a_crash_is_reported_never_rerun(loop):
    loop.seed()
    # reports/: the one place a boxed command writes in the data dir (the first-run config boxes it)
    proc = loop.popen("shell", "--", "echo started >reports/started; sleep 30; echo again >>reports/ran")
    kit.wait_for(lambda: (loop.data / "reports" / "started").exists(), what="the command to start")
    proc.kill()  # looop dies mid-command (SIGKILL: no cleanup at all)
    proc.wait()
    assert (loop.data / ".shell-running.json").exists()
    decide(loop, {"move": "noop"})
    out = loop.run("tick")
    assert out.returncode == 0 and "interrupted" in out.stdout
    section = loop.prompt_copy.read_text().split("=== RUN_SHELL OUTPUT ===\n")[1]
    assert "was interrupted" in section and "NOT run again" in section
    assert not (loop.data / ".shell-running.json").exists()
    assert not (loop.data / "reports" / "ran").exists()


def test_propose_playbook_is_parked_behind_the_gate(loop):
    loop.seed()
    live = (loop.data / "PLAYBOOK.md").read_text()
    decide(loop, {"move": "propose_playbook", "body": "# New judgment\n"})
    assert loop.run("tick").returncode == 0
    assert (loop.data / "PLAYBOOK.md").read_text() == live
    assert (loop.data / "PLAYBOOK.proposed.md").read_text() == "# New judgment\n"
    (loop.data / "goals" / "x.md").write_text("wake")
    out = loop.run("tick")  # a second proposal while one is pending is refused
    assert out.returncode == 1 and "already pending" in out.stdout
    assert loop.run("playbook", "approve").returncode == 0
    assert (loop.data / "PLAYBOOK.md").read_text() == "# New judgment\n"


def test_archive_sensor_and_flag_moves(loop):
    loop.seed()
    for move, check in [
        ({"move": "archive_goal", "id": "playbook-daily"},
         lambda: (loop.data / "goals/archive/playbook-daily.md").is_file()),
        ({"move": "write_sensor", "name": "disk", "script": 'echo \'{"signal": {"full": false}}\''},
         lambda: os.access(loop.data / "sensors/disk.sh", os.X_OK)),
        ({"move": "flag_human", "text": "which repo is CI for?"},
         lambda: "which repo is CI for?" in (loop.data / "attention.md").read_text()),
    ]:
        decide(loop, move)
        out = loop.run("tick")
        assert out.returncode == 0, out.stdout
        assert check(), move
        (loop.data / "goals" / f"wake-{move['move']}.md").write_text("wake")
    assert [ln.split(" ", 3)[3] for ln in loop.journal()[-3:]] == [
        "archive-goal playbook-daily", "write-sensor disk (new)", "flag-human: which repo is CI for?"]


def test_schedule_moves_write_and_drop_what_the_human_verbs_list(loop):
    loop.seed()
    decide(loop, {"move": "write_schedule", "name": "standup", "cron": "0 9 * * 1-5", "note": "daily standup"})
    assert loop.run("tick").returncode == 0
    listed = json.loads(loop.run("schedule", "list", "--json").stdout)
    assert [s["name"] for s in listed] == ["standup"]
    assert loop.journal()[-1].endswith("write-schedule standup: cron 0 9 * * 1-5")
    decide(loop, {"move": "drop_schedule", "name": "standup"})
    (loop.data / "goals" / "wake.md").write_text("wake")
    assert loop.run("tick").returncode == 0
    assert json.loads(loop.run("schedule", "list", "--json").stdout) == []
    assert loop.journal()[-1].endswith("drop-schedule standup")


def test_write_sensor_that_prints_garbage_fails_the_move(loop):
    loop.seed()
    decide(loop, {"move": "write_sensor", "name": "bad", "script": "echo not json"})
    out = loop.run("tick")
    assert out.returncode == 1 and "sensor bad was not installed" in out.stdout
    assert not (loop.data / "sensors" / "bad.sh").exists()


def test_start_and_kill_worker_moves(loop):
    (loop.root / "start.json").write_text(json.dumps({"move": "start_worker", "id": "w", "prompt": "do it",
                                                      "verify": "test -e done"}))
    kit.use_fake_worker(loop, "decide-from", str(loop.root / "start.json"), moves="typed")
    loop.seed()
    out = loop.run("tick", env={"FAKE_WORKER_MOVES": "hang"})
    assert out.returncode == 0, out.stdout
    kit.wait_for(lambda: kit.status(loop, "w").get("state") == "running", what="the worker")
    assert loop.journal()[-1].endswith(" start-worker w")
    assert kit.meta(loop, "w").get("verify") == "test -e done"
    kit.use_fake_worker(loop, "decide", json.dumps({"move": "kill_worker", "id": "w", "reason": "done"}),
                        moves="typed")
    out = loop.run("tick")
    assert out.returncode == 0, out.stdout
    assert loop.journal()[-1].endswith(" kill-worker w: done")
    assert kit.status(loop, "w").get("state") != "running"
