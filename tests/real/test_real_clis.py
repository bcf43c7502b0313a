"""The real agent CLIs, where installed (on PATH, or under LOOOP_REAL_CLI_BIN):
each preset's worker command, run as `looop doctor` runs it, reaches the CLI's
input prompt with no dialog once the one-time steps the README names are done.
Offline: the model's address is a closed loopback port, so no turn completes,
but every dialog a detached worker would meet comes before the first turn."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from looop.agents.presets import PRESETS
from looop.commands.doctor import try_worker
from looop.core.paths import resolve

BIN = os.environ.get("LOOOP_REAL_CLI_BIN", "")
SEARCH = os.pathsep.join(p for p in (BIN, os.environ.get("PATH", "")) if p)
KEY = "sk-test-0123456789abcdefghijklmnop"


def done_once(cli: str, home: Path) -> None:
    """The README's one-time steps, done in a throwaway home."""
    if cli == "claude":
        (home / ".claude.json").write_text(json.dumps({
            "hasCompletedOnboarding": True, "theme": "dark",
            "customApiKeyResponses": {"approved": [KEY[-20:]], "rejected": []}}))
    elif cli == "codex":
        subprocess.run([shutil.which("codex", path=SEARCH) or "codex", "login", "--with-api-key"], input=KEY,
                       text=True, env={**os.environ, "HOME": str(home), "PATH": SEARCH}, capture_output=True,
                       timeout=60, check=True)
    elif cli == "gemini":
        (home / ".gemini").mkdir()
        (home / ".gemini" / "settings.json").write_text(json.dumps(
            {"security": {"auth": {"selectedType": "gemini-api-key"}}}))


def prepare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: str, once: bool) -> None:
    if not shutil.which(cli, path=SEARCH):
        pytest.skip(f"{cli} is not installed (npm i -g its package, or set LOOOP_REAL_CLI_BIN)")
    home = tmp_path / "home"
    home.mkdir()
    data = tmp_path / "data"
    data.mkdir()
    if once:
        done_once(cli, home)
    closed = "http://127.0.0.1:9"
    for key, value in {"HOME": str(home), "PATH": SEARCH, "IS_SANDBOX": "1", "ANTHROPIC_API_KEY": KEY,
                       "ANTHROPIC_BASE_URL": closed, "OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": closed + "/v1",
                       "GEMINI_API_KEY": KEY, "GOOGLE_GEMINI_BASE_URL": closed, "LOOOP_DATA_DIR": str(data),
                       "LOOOP_CONFIG": str(tmp_path / "looop.json")}.items():
        monkeypatch.setenv(key, value)


@pytest.mark.parametrize("cli", ["claude", "pi", "codex", "gemini", "opencode"])
def test_a_real_cli_runs_its_preset_worker_command_with_no_dialog(tmp_path, monkeypatch, cli):
    prepare(tmp_path, monkeypatch, cli, once=True)
    row = try_worker(resolve(), cli, PRESETS[cli]["interactive"], 30)
    assert row.result == "ok", f"{cli}: {row.result} ({row.detail})"


@pytest.mark.parametrize(("cli", "dialog"), [("claude", "first-run setup"), ("codex", "sign-in"),
                                             ("gemini", "sign-in")])
def test_a_real_cli_before_its_one_time_step_is_named_blocked(tmp_path, monkeypatch, cli, dialog):
    prepare(tmp_path, monkeypatch, cli, once=False)
    row = try_worker(resolve(), cli, PRESETS[cli]["interactive"], 30)
    assert row.result == f"blocked: {dialog}", row
