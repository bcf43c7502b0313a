"""`looop doctor`: the config, the data dir's git, and each worker command
tried for real in a PTY, naming the CLI dialog that would stop a worker."""

from __future__ import annotations

import json

from looop.agents.presets import PRESETS
from tests.fleet.test_unattended import as_cli, onboarded
from tests.helpers import FIXTURES, Loop

FAKE_RUNNER = str(FIXTURES / "runners" / "fake-runner")


def runners(loop: Loop, **commands: str) -> None:
    loop.env["IS_SANDBOX"] = "1"
    cfg = {"default": next(iter(commands)), "runners": {
        name: {"tick": FAKE_RUNNER, "interactive": as_cli(loop, name, cmd)} for name, cmd in commands.items()}}
    loop.config.write_text(json.dumps(cfg))


def rows(out: str) -> dict[str, list[str]]:
    found = {}
    for line in out.splitlines()[1:]:
        parts = [p for p in line.split("  ") if p.strip()]
        if len(parts) >= 2:
            found[parts[0].strip()] = [p.strip() for p in parts[1:]]
    return found


def test_doctor_passes_every_preset_and_names_the_dialog_of_a_bad_command(loop):
    onboarded(loop)
    loop.seed()
    runners(loop, claude=PRESETS["claude"]["interactive"], codex=PRESETS["codex"]["interactive"],
            gemini=PRESETS["gemini"]["interactive"], pi=PRESETS["pi"]["interactive"])
    loop.env["LOOOP_DOCTOR_TIMEOUT"] = "4"
    out = loop.run("doctor")
    assert out.returncode == 0, out.stdout + out.stderr
    table = rows(out.stdout)
    assert table["config"][0] == "ok" and table["data dir git"][0] == "ok"
    for name in ("claude", "codex", "gemini", "pi"):
        assert table[f"worker {name}"][0] == "ok", out.stdout

    runners(loop, claude='claude "$(cat {{prompt_file}})"')  # the preset before: no trust, no permissions
    out = loop.run("doctor")
    assert out.returncode == 1
    assert rows(out.stdout)["worker claude"][0] == "blocked: folder trust"
    assert "1 check failed" in out.stdout


def test_doctor_says_what_is_missing_without_failing(loop):
    loop.seed()
    loop.config.write_text(json.dumps({"default": "x", "runners": {
        "x": {"tick": FAKE_RUNNER, "interactive": "no-such-agent-cli --go {{prompt_file}}"}}}))
    out = loop.run("doctor")
    assert out.returncode == 0, out.stdout
    assert rows(out.stdout)["worker x"][:2] == ["warn", "not installed: no-such-agent-cli"]


def test_doctor_on_a_broken_config_fails_in_one_line(loop):
    loop.config.write_text("{not json")
    out = loop.run("doctor")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert rows(out.stdout)["config"][0] == "fail"


def test_a_worker_command_that_dies_at_once_fails_with_its_last_words(loop):
    loop.seed()
    loop.config.write_text(json.dumps({"default": "x", "runners": {
        "x": {"tick": FAKE_RUNNER, "interactive": "bash -c 'echo no API key found; exit 3' {{prompt_file}}"}}}))
    out = loop.run("doctor")
    assert out.returncode == 1
    assert rows(out.stdout)["worker x"][:2] == ["fail", "exited 3 at once: no API key found"]
