"""One beat end to end: the real `looop tick` against the fake runner."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from looop.core import schemas
from tests.helpers import answer_prompts, without_agent_clis


def _git(loop, *args):
    return subprocess.run(["git", *args], cwd=loop.data, capture_output=True, text=True).stdout


def test_fresh_data_dir_is_seeded_and_committed(loop):
    loop.fake("journal")
    out = loop.run("tick")
    assert out.returncode == 0, out.stderr
    d = loop.data
    for rel in ("PLAYBOOK.md", "goals/setup.md", "goals/playbook-daily.md", "sensors/today.sh", ".gitignore"):
        assert (d / rel).is_file(), rel
    assert os.access(d / "sensors/today.sh", os.X_OK)
    today = json.loads((d / "snapshots/sensor-today.json").read_text())
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", today["date"])
    log = _git(loop, "log", "--format=%s").splitlines()
    assert log[-1] == "looop: seed the data dir"
    assert len(log) == 2 and log[0] == loop.journal()[-1].removeprefix("- ")
    tracked = set(_git(loop, "ls-files").split())
    assert "journal.md" in tracked and "goals/setup.md" in tracked
    assert not any(t.startswith(("snapshots/", "runs/")) or t in ("events.jsonl", ".last-tick-hash") for t in tracked)
    assert oct(d.stat().st_mode & 0o777) == "0o700"


def test_decide_then_skip_when_unchanged(loop):
    loop.fake("journal", "did the thing")
    first = loop.run("tick")
    assert first.returncode == 0
    assert loop.calls() == 1
    # the journal line copies the prompt's timestamp verbatim
    stamp = re.search(r"^- (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) ", loop.prompt_copy.read_text(), re.M).group(1)
    assert loop.journal() == [f"- {stamp} did the thing"]
    assert re.search(r"^\[\d\d:\d\d:\d\d\] │ fake runner: read \d+ prompt lines$", first.stdout, re.M)
    assert "decided in" in first.stdout and "did the thing" in first.stdout
    run_dirs = list((loop.data / "runs").iterdir())
    assert len(run_dirs) == 1 and run_dirs[0].name.startswith("tick-")
    assert "fake runner: read" in (run_dirs[0] / "output.log").read_text()
    assert (run_dirs[0] / "output.log").read_text() == (loop.data / "tick.log").read_text()
    assert (loop.data / ".last-tick-hash").read_text().strip()

    second = loop.run("tick")
    assert second.returncode == 0
    assert loop.calls() == 1, "an unchanged world must not call the LLM"
    assert "world unchanged" in second.stdout
    names = loop.event_names()
    assert names.count("decided") == 1 and names[-1] == "world_unchanged"
    for event in loop.events():
        assert schemas.is_valid("event", event), event


def test_a_changed_goal_wakes_the_next_beat(loop):
    loop.fake("goal", "ship", "ship v1", "journal")
    loop.run("tick")
    assert (loop.data / "goals/ship.md").read_text() == "ship v1\n"
    loop.fake("journal")
    loop.run("tick")
    assert loop.calls() == 2, "the beat after a goal edit sees a changed world"
    loop.run("tick")
    assert loop.calls() == 2


def test_a_changed_signal_wakes_but_detail_does_not(loop):
    loop.fake("journal")
    loop.seed()
    state = loop.root / "state"
    state.write_text("1")
    loop.sensor("s", f'printf \'{{"signal":{{"n":%s}},"detail":{{"t":"%s"}}}}\' "$(cat {state})" "$(date +%s%N)"')
    loop.run("tick")
    loop.run("tick")
    assert loop.calls() == 1
    state.write_text("2")
    loop.run("tick")
    assert loop.calls() == 2


def test_failed_runner_keeps_the_world_unsaved(loop):
    loop.fake("fail", "7")
    out = loop.run("tick")
    assert out.returncode == 1
    assert "tick FAILED (runner exited 7)" in out.stdout
    assert not (loop.data / ".last-tick-hash").exists()
    assert "tick_failed" in loop.event_names()
    loop.fake("journal")
    assert loop.run("tick").returncode == 0
    assert loop.calls() == 2, "the next beat retries"


def test_ai_edit_of_playbook_is_parked(loop):
    loop.fake("playbook", "AI rules now", "journal")
    out = loop.run("tick")
    assert out.returncode == 0
    seeded = loop.approved.read_text()
    assert (loop.data / "PLAYBOOK.md").read_text() == seeded
    assert (loop.data / "PLAYBOOK.proposed.md").read_text() == "AI rules now\n"
    assert "proposal_parked" in loop.event_names()
    assert "NEEDS YOU" in out.stdout and "playbook approve" in out.stdout

    diff = loop.call("playbook")
    assert "+AI rules now" in diff.stdout and "approve" in diff.stdout
    assert loop.call("playbook", "approve").returncode == 0
    assert (loop.data / "PLAYBOOK.md").read_text() == "AI rules now\n"
    assert not (loop.data / "PLAYBOOK.proposed.md").exists()
    assert "no pending" in loop.call("playbook", "reject").stdout


def test_reject_keeps_the_live_playbook(loop):
    loop.fake("propose", "maybe this", "journal")
    loop.run("tick")
    before = (loop.data / "PLAYBOOK.md").read_text()
    assert loop.call("playbook", "reject").returncode == 0
    assert (loop.data / "PLAYBOOK.md").read_text() == before
    assert "no pending PLAYBOOK change" in loop.call("playbook", "diff").stdout


def test_human_edit_of_playbook_is_adopted(loop):
    loop.fake("journal")
    loop.run("tick")
    (loop.data / "PLAYBOOK.md").write_text("my own rules\n")
    out = loop.run("tick")
    assert "adopted" in out.stdout
    assert loop.approved.read_text() == "my own rules\n"
    assert (loop.data / "PLAYBOOK.md").read_text() == "my own rules\n"
    assert loop.calls() == 2
    assert "my own rules" in loop.prompt_copy.read_text()


def test_empty_playbook_warns_and_goes_on(loop):
    loop.fake("journal")
    loop.seed()
    (loop.data / "PLAYBOOK.md").write_text("")
    out = loop.run("tick")
    assert out.returncode == 0
    assert "PLAYBOOK.md is empty" in out.stdout
    assert "(PLAYBOOK.md is empty)" in loop.prompt_copy.read_text()


def test_unreadable_playbook_is_one_clear_line(loop):
    loop.fake("journal")
    loop.seed()
    goals = {p.name: p.read_text() for p in (loop.data / "goals").glob("*.md")}
    (loop.data / "PLAYBOOK.md").unlink()
    (loop.data / "PLAYBOOK.md").mkdir()
    out = loop.run("tick")
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "PLAYBOOK.md" in out.stderr and "Traceback" not in out.stderr
    assert {p.name: p.read_text() for p in (loop.data / "goals").glob("*.md")} == goals
    assert loop.calls() == 0


def test_dry_run_writes_the_prompt_only(loop):
    loop.fake("journal")
    out = loop.run("tick", "--dry-run")
    assert out.returncode == 0
    path = out.stdout.strip().splitlines()[-1]
    assert path.endswith("prompt.md") and "=== PLAYBOOK ===" in open(path).read()
    assert loop.calls() == 0 and not (loop.data / ".last-tick-hash").exists()


def test_paused_skips_every_beat(loop):
    loop.fake("journal")
    loop.seed()
    (loop.data / "paused").touch()
    out = loop.run("tick")
    assert out.returncode == 0 and "paused" in out.stdout
    assert loop.calls() == 0 and "paused" in loop.event_names()


def test_runs_are_pruned(loop):
    loop.fake("journal")
    for i in range(4):
        (loop.data / "goals").mkdir(parents=True, exist_ok=True)
        (loop.data / "goals" / "n.md").write_text(str(i))
        loop.run("tick", env={"LOOOP_RUNS_KEEP": "2"})
    assert loop.calls() == 4
    assert len(list((loop.data / "runs").iterdir())) == 2


def test_attention_and_garbage_claims(loop):
    loop.fake("attention", "please renew the token", "journal")
    loop.seed()
    (loop.data / "claims" / "junk.json").write_text("{{{")
    out = loop.run("tick")
    assert "NEEDS YOU" in out.stdout and "please renew the token" in out.stdout
    assert not (loop.data / "claims" / "junk.json").exists()
    reaped = [e for e in loop.events() if e["event"] == "claim_reaped"]
    assert reaped and reaped[0]["claim"] == "junk"
    assert "needs_you" in loop.event_names()


def test_git_can_be_turned_off(loop):
    loop.fake("goal", "g", "x", "journal", git=False)
    loop.run("tick")
    log = _git(loop, "log", "--format=%s").splitlines()
    assert log == ["looop: seed the data dir"]


@pytest.mark.parametrize("text,field", [
    ('{"default": "x", "runners": {"x": {"tick": 5}}}', "runners.x.tick"),
    ('{"default": "x", "runners": {"x": {"tick": "t"}}, "interval": "soon"}', "interval"),
    ('{"default": "y", "runners": {"x": {"tick": "t"}}}', "default"),
    ('{"default": "x", "runners": {"x": {"tick": "t"}}, "intervall": 5}', "intervall"),
    ('{"default": "x", "runners": {', "line 1"),
])
def test_bad_config_is_one_line_and_untouched(loop, text, field):
    loop.config.write_text(text)
    (loop.data / "goals").mkdir(parents=True)
    out = loop.run("tick")
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and str(loop.config) in lines[0] and field in lines[0], out.stderr
    assert loop.config.read_text() == text


def test_first_run_writes_a_valid_default_config(loop):
    out = loop.run("tick", "--dry-run", env={"PATH": without_agent_clis("/usr/bin:/bin")})  # no agent CLI installed
    assert out.returncode == 0
    cfg = json.loads(loop.config.read_text())
    assert set(cfg["runners"]) >= {"claude", "pi"} and cfg["default"] == "pi"
    assert schemas.is_valid("config", cfg)
    [line] = [ln for ln in out.stderr.splitlines() if "no config yet" in ln]
    assert str(loop.config) in line and "`looop init`" in line and "none of claude" in line


def test_first_run_picks_the_first_installed_runner_and_init_may_still_choose(loop):
    from tests.guard.test_presets import stand_ins

    env = stand_ins(loop, "codex", "gemini")
    out = loop.run("tick", "--dry-run", env=env)
    assert out.returncode == 0, out.stderr
    assert json.loads(loop.config.read_text())["default"] == "codex"
    assert "with runner codex (the first installed of claude, pi, codex, gemini, opencode)" in out.stderr
    # the config nobody edited is not the user's yet: init replaces it without --force
    again = loop.call("init", "--runner", "gemini", env=env)
    assert again.returncode == 0, again.stderr
    assert json.loads(loop.config.read_text())["default"] == "gemini"


def test_first_run_on_a_terminal_is_looop_init(loop):
    seen, _ = answer_prompts(loop, ["tick", "--dry-run"], "runner [", ["3"])
    assert "looop has no config yet" in seen and "this is `looop init`" in seen
    assert json.loads(loop.config.read_text())["default"] == "codex"
    assert "dry run: prompt written" in seen


def test_the_pulse_stops_at_once_when_its_runner_is_missing(loop):
    loop.write_config("not-an-installed-agent -p")
    out = loop.run(timeout=30)  # `looop` alone: the pulse
    assert out.returncode == 1
    assert "needs tools that are not installed" in out.stderr and "not-an-installed-agent" in out.stderr
    assert "looop init --force" in out.stderr


def test_a_move_without_a_journal_line_is_called_out(loop):
    loop.fake("journal")
    loop.run("tick")
    loop.fake("goal", "quiet", "no journal line this time")
    (loop.data / "goals" / "poke.md").write_text("wake up")
    out = loop.run("tick")
    assert out.returncode == 0
    assert "the runner wrote no journal line" in out.stdout
    assert loop.journal()[-1].removeprefix("- ") not in out.stdout


def test_an_older_data_dir_learns_new_ignores(loop):
    loop.fake("journal")
    loop.seed()
    gitignore = loop.data / ".gitignore"
    gitignore.write_text("/snapshots/\nmy-own-rule\n")
    loop.run("tick")
    lines = gitignore.read_text().splitlines()
    assert lines[:2] == ["/snapshots/", "my-own-rule"]
    assert "/events.jsonl" in lines and "/runs/" in lines and lines.count("/snapshots/") == 1
    tracked = subprocess.run(["git", "ls-files"], cwd=loop.data, capture_output=True, text=True).stdout.split()
    assert "events.jsonl" not in tracked and not any(t.startswith("runs/") for t in tracked)


# -- hardening: nothing hangs, nothing floods ----------------------------------

@pytest.mark.parametrize("where", ["goals/pipe.md", "attention.md", ".last-world.json", ".noop-since",
                                   "claims/pipe.json", "PLAYBOOK.proposed.md", ".last-tick-hash"])
@pytest.mark.parametrize("kind", ["fifo", "directory", "dangling", "device"])
def test_a_file_that_is_not_a_file_never_blocks_the_beat(loop, where, kind):
    loop.fake("journal")
    loop.seed()
    path = loop.data / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    elif kind == "dangling":
        path.symlink_to(loop.root / "nowhere")
    else:
        path.symlink_to("/dev/zero")
    out = loop.run("tick", timeout=60)
    assert "not a regular file: ignored" in out.stdout and "Traceback" not in out.stderr
    if kind == "directory" and where.startswith("."):
        # looop's own state file cannot be replaced by a file: one line naming it, nothing lost
        assert out.returncode == 1 and out.stderr.count("\n") == 1 and where in out.stderr
        return
    assert out.returncode == 0, out.stdout + out.stderr
    assert loop.calls() == 1


def test_a_playbook_that_is_a_fifo_is_one_clear_line(loop):
    loop.fake("journal")
    loop.seed()
    (loop.data / "PLAYBOOK.md").unlink()
    os.mkfifo(loop.data / "PLAYBOOK.md")
    out = loop.run("tick", timeout=60)
    assert out.returncode == 1 and "is a FIFO, not a file" in out.stderr and loop.calls() == 0


def test_a_one_gigabyte_goal_costs_no_memory(loop):
    import shlex
    import sys

    loop.fake("journal")
    loop.seed()
    with open(loop.data / "goals" / "huge.md", "wb") as fh:
        fh.truncate(1 << 30)  # sparse: no disk, but 1 GB to whoever reads it whole
    from tests.helpers import looop_argv

    cmd = "ulimit -v 700000; exec " + " ".join(shlex.quote(a) for a in looop_argv()) + " tick --dry-run"
    out = subprocess.run(["bash", "-c", cmd], env=loop.env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    prompt_file = out.stdout.strip().splitlines()[-1]
    text = open(prompt_file).read()
    assert "more characters cut; read goals/huge.md" in text and len(text) < 1 << 20
    assert sys.getsizeof(text) < 1 << 21
