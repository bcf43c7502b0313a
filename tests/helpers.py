"""Test helpers shared by the whole suite (loaded as a pytest plugin).

`loop` gives each test its own data dir and config, and runs the real
installed `looop` command against them, with a fake runner from fixtures/
standing in for the LLM.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
FAKE_RUNNER = FIXTURES / "runners" / "fake-runner"


def looop_argv() -> list[str]:
    """The installed console script next to this Python, else `python -m looop`."""
    script = Path(sys.executable).with_name("looop")
    if script.exists():
        return [str(script)]
    found = shutil.which("looop")
    return [found] if found else [sys.executable, "-m", "looop"]


@dataclass
class Loop:
    """One isolated looop profile: data dir, config, environment."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def config(self) -> Path:
        return self.root / "looop.json"

    @property
    def approved(self) -> Path:
        """The gate's approved PLAYBOOK baseline (in the private gate dir, outside the data dir)."""
        from unittest import mock

        from looop.paths import Paths

        with mock.patch.dict(os.environ, {"XDG_STATE_HOME": self.env["XDG_STATE_HOME"]}):
            return Paths(data=self.data, config=self.config, is_default_profile=False).approved

    @property
    def calls_file(self) -> Path:
        return self.root / "runner-calls"

    @property
    def prompt_copy(self) -> Path:
        return self.root / "last-prompt.md"

    def run(self, *args: str, timeout: float = 60, input: str | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*looop_argv(), *args], env={**self.env, **(env or {})}, cwd=self.root, text=True,
            capture_output=True, timeout=timeout, input=input if input is not None else "",
        )

    def popen(self, *args: str, env: dict[str, str] | None = None, **kw: Any) -> subprocess.Popen[str]:
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.STDOUT)
        return subprocess.Popen([*looop_argv(), *args], env={**self.env, **(env or {})}, cwd=self.root,
                                text=True, stdin=subprocess.DEVNULL, **kw)

    def write_config(self, tick: str, *, name: str = "fake", interactive: str | None = None,
                     **extra: Any) -> None:
        runner: dict[str, str] = {"tick": tick}
        if interactive:
            runner["interactive"] = interactive
        cfg = {"default": name, "runners": {name: runner}, **extra}
        self.config.write_text(json.dumps(cfg, indent=2))

    def fake(self, *moves: str, **extra: Any) -> None:
        """Use the fake runner with these scripted moves."""
        self.write_config(" ".join(shlex.quote(w) for w in [str(FAKE_RUNNER), *moves]), **extra)

    def seed(self) -> None:
        """Seed the data dir without deciding (a dry run)."""
        out = self.run("tick", "--dry-run")
        assert out.returncode == 0, out.stdout + out.stderr

    def sensor(self, name: str, body: str, executable: bool = True) -> Path:
        path = self.data / "sensors" / f"{name}.sh"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#!/usr/bin/env bash\n" + body + "\n")
        path.chmod(0o755 if executable else 0o644)
        return path

    def calls(self) -> int:
        try:
            return len(self.calls_file.read_text().splitlines())
        except FileNotFoundError:
            return 0

    def events(self) -> list[dict[str, Any]]:
        try:
            return [json.loads(x) for x in (self.data / "events.jsonl").read_text().splitlines()]
        except FileNotFoundError:
            return []

    def event_names(self) -> list[str]:
        return [e["event"] for e in self.events()]

    def journal(self) -> list[str]:
        try:
            return [x for x in (self.data / "journal.md").read_text().splitlines() if x.strip()]
        except FileNotFoundError:
            return []


def clean_env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOOOP_", "HYPOTHESIS"))}
    env.update(
        HOME=str(root / "home"),
        XDG_CONFIG_HOME=str(root / "home" / ".config"),
        XDG_STATE_HOME=str(root / "home" / ".local" / "state"),
        LOOOP_DATA_DIR=str(root / "data"),
        LOOOP_CONFIG=str(root / "looop.json"),
        LOOOP_COLOR="0",
        FAKE_CALLS=str(root / "runner-calls"),
        FAKE_PROMPT=str(root / "last-prompt.md"),
        FAKE_PID=str(root / "runner-pid"),
        LOOOP_TMUX_SURFACE="0",
    )
    env.pop("TMUX", None)
    return env


@pytest.fixture
def loop(tmp_path: Path) -> Loop:
    (tmp_path / "home").mkdir()
    return Loop(root=tmp_path, env=clean_env(tmp_path))
