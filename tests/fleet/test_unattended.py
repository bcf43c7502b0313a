"""Each preset's worker command runs detached with nothing to click: fake CLIs
(fixtures/agents/fake-agent) reproduce what stops each real one (claude's
first-run setup, folder trust, bypass warning and permission prompts; codex's
shared daemon; gemini's refusal of $( ); each shell tool's time limit), and a
worker under every preset asks, gets an answer given after its tool cut the
ask off, and leaves nothing behind after `looop kill`."""

from __future__ import annotations

import json
import os
import re
import shlex

import pytest

from looop.agents.presets import PRESETS
from tests.fleet import kit
from tests.helpers import FIXTURES, Loop, wait_for
from tests.mailbox import kit as mail

FAKE_AGENT = FIXTURES / "agents" / "fake-agent"


def as_cli(loop: Loop, name: str, command: str) -> str:
    """`command` with the CLI's name pointing at the fake that plays it."""
    bindir = loop.root / "bin"
    bindir.mkdir(exist_ok=True)
    link = bindir / name
    if not link.exists():
        link.symlink_to(FAKE_AGENT)
    return re.sub(rf"(^|\s){name}\s", lambda m: f"{m.group(1)}{shlex.quote(str(link))} ", command, count=1)


def use_preset(loop: Loop, name: str, command: str | None = None, **extra) -> None:
    loop.env["IS_SANDBOX"] = "1"  # as root (CI), claude wants it for --dangerously-skip-permissions
    loop.write_config(str(FIXTURES / "runners" / "fake-runner"), interactive=as_cli(
        loop, name, command or PRESETS[name]["interactive"]), **extra)


def onboarded(loop: Loop) -> None:
    (loop.root / "home" / ".claude.json").write_text(json.dumps({"hasCompletedOnboarding": True}))


def codex_daemon(loop: Loop) -> int | None:
    """The fake codex's shared daemon, if one was started and still runs."""
    try:
        pid = int((loop.root / "home" / ".codex" / "app-server.pid").read_text())
    except FileNotFoundError:
        return None
    return None if kit.gone(pid) else pid


@pytest.mark.parametrize("cli", ["claude", "pi", "codex", "gemini", "opencode"])
def test_a_worker_under_each_preset_asks_past_its_tool_limit_and_gets_the_answer(loop, cli):
    onboarded(loop)
    use_preset(loop, cli)
    env = {"FAKE_QUESTION": f"Merge it, {cli}?", "FAKE_TOOL_LIMIT_S": "1", "FAKE_TOOL_IDLE_S": "1",
           "LOOOP_ASK_PROGRESS": "1"}
    kit.start(loop, "w", env=env)
    kit.start(loop, "v", env={**env, "FAKE_QUESTION": f"Deploy it, {cli}?"})  # a second worker beside it
    kit.wait_output(loop, "w", f"{cli} starting")
    asks = {a["worker"]: a for a in mail.wait_pending(loop, count=2)}
    assert asks["w"]["prompt"] == f"Merge it, {cli}?" and asks["v"]["prompt"] == f"Deploy it, {cli}?"
    if cli in ("claude", "opencode"):  # the preset raised the tool's own limit: the ask is still waiting
        assert "cut off" not in kit.log_text(loop, "w")
    for wid, answer in (("w", "yes"), ("v", "no")):
        assert loop.run("answer", asks[wid]["id"], answer).returncode == 0
        assert f"model got: {answer} (exit 0)" in kit.wait_output(loop, wid, "model got: ", timeout=20)
    assert [a["id"] for a in mail.pending(loop)] == []
    assert len(mail.files(loop, "asks")) == 2  # one question each, whatever the tool did
    for wid in ("w", "v"):
        loop.run("kill", wid, "--grace", "1")
        kit.wait_state(loop, wid, "killed", "exited")
    assert codex_daemon(loop) is None  # nothing left running


def test_a_tool_that_cuts_the_ask_off_still_delivers_the_later_answer(loop):
    """A CLI whose shell tool kills the ask after a second (as claude's and
    opencode's did after 2 minutes without the preset's limits): the model
    resumes with `ask --wait <id>` and the answer, given later, arrives."""
    onboarded(loop)
    command = PRESETS["claude"]["interactive"].replace(" BASH_DEFAULT_TIMEOUT_MS=86400000", "")
    use_preset(loop, "claude", command)
    kit.start(loop, "slow", env={"FAKE_TOOL_LIMIT_S": "1", "FAKE_QUESTION": "Deploy?"})
    kit.wait_output(loop, "slow", "model: picking up ask slow-1", timeout=20)
    kit.wait_output(loop, "slow", "cut off")
    assert [a["id"] for a in mail.pending(loop)] == ["slow-1"]
    assert loop.run("answer", "slow-1", "no").returncode == 0
    assert "model got: no (exit 0)" in kit.wait_output(loop, "slow", "model got: ", timeout=20)
    assert mail.files(loop, "asks") == ["slow-1.json"]
    loop.run("kill", "slow", "--grace", "1")


def test_gemini_refuses_command_substitution_and_the_contract_has_none(loop):
    use_preset(loop, "gemini")
    kit.start(loop, "g")
    contract = (loop.data / "prompts" / "looop-g.md").read_text()
    assert "$(" not in contract
    [ask] = mail.wait_pending(loop)  # the plain ask ran in gemini's shell tool
    assert "not allowed" not in kit.log_text(loop, "g")
    loop.run("kill", "g", "--grace", "1")


def blocked_health(loop: Loop, wid: str) -> str:
    def health() -> str | None:
        [row] = [s for s in kit.ls_json(loop)["sessions"] if s["id"] in (wid, f"looop-{wid}")]
        return row["health"] if row["health"].startswith("blocked: ") else None
    return str(wait_for(health, what=f"{wid} blocked", timeout=15))


@pytest.mark.parametrize(("what", "command", "dialog"), [
    ("claude's old preset: no trust", 'claude "$(cat {{prompt_file}})"', "folder trust"),
    ("bypass without the setting", 'CLAUDE_CODE_SANDBOXED=1 claude --dangerously-skip-permissions "$(cat {{prompt_file}})"',
     "bypass-mode warning"),
    ("no permission flag", 'CLAUDE_CODE_SANDBOXED=1 claude "$(cat {{prompt_file}})"', "permission prompt"),
])
def test_a_worker_standing_on_a_dialog_is_blocked_in_ls_status_watch_and_notified(loop, monkeypatch, what, command,
                                                                                   dialog):
    onboarded(loop)
    record = loop.root / "notified.jsonl"
    use_preset(loop, "claude", command,
               notify_command=f"cat >> {shlex.quote(str(record))}; echo >> {shlex.quote(str(record))}")
    kit.start(loop, "stuck", env={"LOOOP_WORKER_STILL": "1"})
    env = {"LOOOP_WORKER_STILL": "1"}
    loop.env.update(env)
    assert blocked_health(loop, "stuck") == f"blocked: {dialog}"
    assert f"blocked: {dialog}" in loop.run("ls").stdout
    status = json.loads(loop.run("status", "--json").stdout)
    assert [w["health"] for w in status["workers"]] == [f"blocked: {dialog}"]
    from looop.fleet import view as fleetview

    monkeypatch.setenv("LOOOP_WORKER_STILL", "1")
    assert [r.health for r in fleetview.rows(kit.fleet_root(loop), living_only=True)] == [f"blocked: {dialog}"]  # watch's table
    assert loop.run("tick").returncode == 0
    sent = [json.loads(x) for x in record.read_text().splitlines() if x.strip()]
    assert [(e["event"], e["worker"]) for e in sent] == [("blocked", "stuck")]
    assert dialog in sent[0]["text"]
    loop.run("kill", "stuck", "--grace", "1")


def test_first_run_setup_blocks_claude_until_done_once(loop):
    use_preset(loop, "claude")
    kit.start(loop, "new", env={"LOOOP_WORKER_STILL": "1"})
    loop.env["LOOOP_WORKER_STILL"] = "1"
    assert blocked_health(loop, "new") == "blocked: first-run setup"
    loop.run("kill", "new", "--grace", "1")


def test_codex_without_no_daemon_leaves_a_daemon_and_shares_its_env(loop):
    use_preset(loop, "codex", PRESETS["codex"]["interactive"].replace("--no-daemon ", ""))
    kit.start(loop, "one")
    mail.wait_pending(loop)
    kit.start(loop, "two")
    wait_for(lambda: len(mail.pending(loop)) == 2, what="two asks")
    assert sorted(a["worker"] for a in mail.pending(loop)) == ["one", "one"]  # the bug the flag fixes
    for w in ("one", "two"):
        loop.run("kill", w, "--grace", "1")
        kit.wait_state(loop, w, "killed", "exited")
    leftover = codex_daemon(loop)
    assert leftover is not None  # `kill` could not reach it: outside the worker's group
    os.kill(leftover, 9)


def test_codex_with_the_preset_keeps_each_workers_asks_and_leaves_nothing(loop):
    use_preset(loop, "codex")
    kit.start(loop, "one")
    mail.wait_pending(loop)
    kit.start(loop, "two")
    wait_for(lambda: len(mail.pending(loop)) == 2, what="two asks")
    assert sorted(a["worker"] for a in mail.pending(loop)) == ["one", "two"]
    for w in ("one", "two"):
        loop.run("kill", w, "--grace", "1")
        kit.wait_state(loop, w, "killed", "exited")
    assert codex_daemon(loop) is None
