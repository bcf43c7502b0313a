"""kill, flag, unflag, prune: each takes `<id>` or `looop-<id>`."""

from __future__ import annotations

import pytest

from tests.fleet import kit


def test_kill_ends_the_whole_worker_group(loop):
    kit.use_fake_worker(loop)
    kit.start(loop, "k", "hang")
    worker = kit.wait_state(loop, "k", "running")["worker_pid"]
    out = loop.run("kill", "looop-k")
    assert out.returncode == 0
    assert out.stdout.startswith("k killed (exit code 143)")  # SIGTERM
    st = kit.status(loop, "k")
    assert (st["state"], st["exit_code"]) == ("killed", 143)
    kit.wait_for(lambda: kit.gone(worker), what="the worker to be gone")
    assert "session_killed" in loop.event_names()
    again = loop.run("kill", "k")
    assert again.returncode == 0 and "already ended" in again.stdout


def test_kill_uses_sigkill_when_sigterm_is_ignored(loop):
    kit.use_fake_worker(loop, interactive=f"trap '' TERM; {kit.FAKE_WORKER} {{{{prompt_file}}}}")
    kit.start(loop, "stubborn", "hang")
    kit.wait_output(loop, "stubborn", "ready")
    out = loop.run("kill", "--grace", "0.5", "stubborn")
    assert out.returncode == 0, out.stderr
    st = kit.status(loop, "stubborn")
    assert (st["state"], st["exit_code"]) == ("killed", 137)  # SIGKILL: SIGTERM alone did not end it


def test_flag_and_unflag_show_in_ls_and_events(loop):
    kit.use_fake_worker(loop)
    kit.start(loop, "f", "hang")
    assert loop.call("flag", "f", "which", "database?").returncode == 0
    assert kit.status(loop, "f")["note"] == "which database?"
    table = loop.call("ls").stdout
    assert table.splitlines()[1].startswith("f ") and "⚑ which database?" in table
    [row] = kit.ls_json(loop)["sessions"]
    assert row["flagged"] is True and row["note"] == "which database?"
    assert loop.call("unflag", "looop-f").returncode == 0
    [row] = kit.ls_json(loop)["sessions"]
    assert row["flagged"] is False and row["note"] is None
    assert "⚑" not in loop.call("ls").stdout
    flagged = [e for e in loop.events() if e["event"] == "session_flagged"]
    assert flagged[0]["session"] == "looop-f" and flagged[0]["note"] == "which database?"
    assert "session_unflagged" in loop.event_names()


def test_flag_without_a_note_keeps_the_question(loop):
    kit.use_fake_worker(loop)
    kit.start(loop, "q", "hang")
    assert loop.call("flag", "q", "which", "colour?").returncode == 0
    flagged_at = kit.status(loop, "q")["flagged_at"]
    out = loop.call("flag", "q")
    assert out.returncode == 0 and out.stdout.strip() == "⚑ q flagged: which colour?"
    assert kit.status(loop, "q")["note"] == "which colour?"
    assert kit.status(loop, "q")["flagged_at"] == flagged_at  # the same question is not a new flag


def test_a_finished_worker_cannot_be_flagged(loop):
    kit.use_fake_worker(loop)
    kit.start(loop, "gone", "exit", "0")
    kit.wait_state(loop, "gone", "exited")
    out = loop.call("flag", "gone", "hello?")
    assert out.returncode == 1 and "not running" in out.stderr


def test_prune_removes_only_finished_sessions(loop):
    kit.use_fake_worker(loop)
    kit.start(loop, "stays", "hang")
    kit.start(loop, "ends", "exit", "0")
    kit.wait_state(loop, "ends", "exited")
    out = loop.call("prune")
    assert out.returncode == 0 and out.stdout.strip() == "pruned 1 finished session: ends"
    assert [r["id"] for r in kit.ls_json(loop)["sessions"]] == ["looop-stays"]
    assert loop.call("prune").stdout.startswith("pruned 0")


@pytest.mark.parametrize("verb", [("attach",), ("kill",), ("flag", "note"), ("unflag",)])
def test_unknown_sessions_are_one_clear_line(loop, verb):
    kit.use_fake_worker(loop)
    out = loop.run(verb[0], "looop-ghost", *verb[1:])
    assert out.returncode == 1
    assert out.stderr.strip() == "looop: no worker 'ghost' in this profile (workers: none; see `looop ls`)"


def test_worker_verbs_complete_real_session_ids(loop):
    from tests.commands.test_completions import in_bash

    kit.use_fake_worker(loop)
    kit.start(loop, "tabbed", "hang")
    assert in_bash(loop, "attach", "") == ["tabbed"]  # the id the user typed, not the session dir
    assert in_bash(loop, "flag", "ta") == ["tabbed"]


def test_kill_ends_a_child_that_ignores_term_and_hup(loop):
    child_pid = loop.root / "child-pid"
    stubborn = f"exec sh -c 'echo $$ > {child_pid}; exec sleep 300'"
    kit.use_fake_worker(loop, interactive=f"(trap '' TERM HUP; {stubborn}) & {kit.FAKE_WORKER} {{{{prompt_file}}}}")
    kit.start(loop, "hydra", "hang")
    kit.wait_output(loop, "hydra", "ready")
    kit.wait_for(lambda: child_pid.exists() and child_pid.read_text().strip(), what="the stubborn child")
    child = int(child_pid.read_text())
    out = loop.run("kill", "--grace", "3", "hydra")  # long enough that the leader ends first
    assert out.returncode == 0, out.stdout + out.stderr
    assert "hydra killed" in out.stdout
    assert kit.gone(child), "a process of the worker's group outlived `looop kill`"
