"""The first seconds of each real agent CLI, recorded in a PTY (fixtures/logs/*):
`looop screenshot` replays every one, and the dialogs that stop a detached
worker are named."""

from __future__ import annotations

import json

import pytest

from looop.fleet import dialogs, screen
from tests.helpers import FIXTURES
from tests.watch.test_app import session

LOGS = FIXTURES / "logs"

RECORDED = {  # log → the dialog on its last screen (None: the CLI is up, no dialog)
    "claude-first-run.log": "first-run setup",  # offline: the onboarding's connectivity check
    "claude-api-key.log": "API key approval",
    "codex-sign-in.log": "sign-in",
    "codex-start.log": None,  # the preset: --no-daemon, the data dir trusted for the run
    "gemini-trust.log": "folder trust",  # without --skip-trust
    "gemini-auth.log": "sign-in",
    "opencode-start.log": None,
    "pi-start.log": None,
}


def last_screen(name: str) -> str:
    term = screen.Terminal(100, 30)
    term.feed((LOGS / name).read_bytes())
    return "\n".join(screen.text_lines(term.screen_rows(), 100))


@pytest.mark.parametrize(("log", "dialog"), sorted(RECORDED.items()))
def test_each_recorded_cli_replays_and_its_dialog_is_named(log, dialog):
    found = dialogs.find(last_screen(log))
    assert (found.name if found else None) == dialog


@pytest.mark.parametrize("log", sorted(RECORDED))
def test_screenshot_takes_every_recording(loop, log):
    root = loop.root / "fleet"
    session(root, "rec", LOGS / log, cols=100, rows=30)
    env = {"LOOOP_FLEET_DIR": str(root)}
    for args in ([], ["--ansi"], ["--json"]):
        out = loop.run("screenshot", "rec", *args, env=env)
        assert out.returncode == 0 and out.stderr == "", out.stderr
    grid = json.loads(loop.run("screenshot", "rec", "--json", env=env).stdout)
    assert (grid["cols"], grid["rows"]) == (100, 30) and any(line.strip() for line in grid["lines"])
