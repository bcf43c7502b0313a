"""`looop pause` / `resume`: the beat senses and serves asks, decides nothing, until resumed or the time runs out."""

from __future__ import annotations

import json
import time

from looop.core.stamps import utc


def test_a_paused_beat_senses_but_never_calls_the_runner(loop):
    loop.fake("journal", "moved")
    loop.seed()
    probe = loop.root / "sensed"
    loop.sensor("probe", f'echo x >> "{probe}"; echo \'{{"signal": 1}}\'')
    out = loop.run("pause", "--for", "2h", "deploy", "freeze")
    assert out.returncode == 0, out.stderr
    assert "paused (deploy freeze) until" in out.stdout and "looop resume" in out.stdout
    assert "paused (deploy freeze)" in loop.journal()[-1]
    beat = loop.run("tick")
    assert beat.returncode == 0, beat.stderr
    assert "paused (deploy freeze)" in beat.stdout and "no decision" in beat.stdout
    assert probe.read_text().count("x") >= 1, "a paused beat still runs the sensors"
    assert loop.calls() == 0, "a paused beat never calls the runner"
    snap = json.loads(loop.call("status", "--json").stdout)
    assert snap["paused"] is True and snap["pause"]["reason"] == "deploy freeze" and snap["pause"]["until"]
    human = loop.call("status").stdout
    assert "PAUSED: paused (deploy freeze) until" in human

    resumed = loop.run("resume")
    assert resumed.returncode == 0 and "resumed" in resumed.stdout
    assert loop.journal()[-1].split(" ", 3)[3].startswith("resumed (was paused (deploy freeze)")
    assert loop.run("tick").returncode == 0
    assert loop.calls() == 1, "after resume the same world is decided: the paused beats saved no hash"


def test_a_pause_that_ran_out_ends_itself_at_the_next_beat(loop):
    loop.fake("journal", "moved")
    loop.seed()
    (loop.data / "paused").write_text(json.dumps({"since": utc(time.time() - 60), "reason": "lunch",
                                                  "until": utc(time.time() - 1)}))
    out = loop.run("tick")
    assert out.returncode == 0, out.stderr
    assert "the pause ran out" in out.stdout and loop.calls() == 1
    assert not (loop.data / "paused").exists()
    assert any("pause ended" in line for line in loop.journal())


def test_an_old_empty_paused_file_still_pauses(loop):
    loop.fake("journal")
    loop.seed()
    (loop.data / "paused").touch()
    out = loop.run("tick")
    assert out.returncode == 0 and "paused until `looop resume`" in out.stdout
    assert loop.calls() == 0


def test_a_forced_run_while_paused_is_told_so_in_its_prompt(loop):
    loop.fake("journal", "forced")
    loop.seed()
    assert loop.run("pause", "travelling").returncode == 0
    out = loop.run("run", "setup")
    assert out.returncode == 0, out.stderr
    prompt = loop.prompt_copy.read_text()
    assert "=== PAUSED ===" in prompt and "paused (travelling)" in prompt


def test_pause_refuses_a_bad_length_and_changes_nothing(loop):
    out = loop.run("pause", "--for", "soon")
    assert out.returncode == 2 and "--for 'soon': not a duration" in out.stderr
    assert "Traceback" not in out.stderr and not (loop.data / "paused").exists()
    assert "not paused" in loop.run("resume").stdout


def test_pause_and_resume_never_suggest_a_destructive_verb(loop):
    for words in (loop.run("pause", "x").stdout, loop.run("resume").stdout, loop.run("help", "pause").stdout):
        for bad in ("prune", "kill", "down", "rm "):
            assert bad not in words


def test_a_typo_is_never_answered_with_a_destructive_verb(loop):
    for typo in ("prun", "pruen", "kil", "dwn", "downn"):
        out = loop.run(typo)
        assert out.returncode != 0
        for bad in ("`looop prune`", "`looop kill`", "`looop down`"):
            assert bad not in out.stderr, (typo, out.stderr)
    assert "did you mean `looop pause`" in loop.run("paus").stderr


def test_status_no_longer_says_paused_once_the_time_ran_out(loop):
    loop.fake("journal")
    loop.seed()
    (loop.data / "paused").write_text(json.dumps({"since": utc(time.time() - 60), "reason": "nap",
                                                  "until": utc(time.time() - 1)}))
    snap = json.loads(loop.call("status", "--json").stdout)
    assert snap["paused"] is False and snap["pause"] is None
    assert "PAUSED" not in loop.call("status").stdout
