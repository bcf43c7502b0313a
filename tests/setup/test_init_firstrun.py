"""`init` knows what a CLI needs once: claude's first-run setup is completed
only when the user agrees, else the one command to run is named."""

from __future__ import annotations

import json

from tests.helpers import answer_prompts


def test_init_on_a_terminal_completes_claudes_first_run_setup_when_the_user_agrees(loop):
    claude_json = loop.root / "home" / ".claude.json"
    claude_json.write_text(json.dumps({"numStartups": 3}))
    seen, code = answer_prompts(loop, ["init", "--runner", "claude"], "[y/N]", ["y"])
    assert code == 0, seen
    assert json.loads(claude_json.read_text()) == {"numStartups": 3, "hasCompletedOnboarding": True, "theme": "dark"}
    assert "marked claude's first-run setup done" in seen


def test_init_leaves_claudes_config_alone_when_the_user_declines(loop):
    seen, code = answer_prompts(loop, ["init", "--runner", "claude"], "[y/N]", ["n"])
    assert code == 0, seen
    assert not (loop.root / "home" / ".claude.json").exists()
    assert "run `claude` once in a terminal" in seen


def test_init_off_a_terminal_only_says_what_to_run_once(loop):
    out = loop.run("init", "--runner", "claude")
    assert out.returncode == 0, out.stderr
    assert "run `claude` once in a terminal" in out.stdout
    assert not (loop.root / "home" / ".claude.json").exists()
    out = loop.run("init", "--runner", "codex", "--force")
    assert "codex login" in out.stdout


def test_init_says_nothing_once_claude_is_set_up(loop):
    (loop.root / "home" / ".claude.json").write_text(json.dumps({"hasCompletedOnboarding": True}))
    out = loop.run("init", "--runner", "claude")
    assert out.returncode == 0 and "claude" not in out.stdout.split("switch runners", 1)[1]
