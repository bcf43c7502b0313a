"""Built-in runner presets and `looop init`: a new user picks a runner once."""

from __future__ import annotations

import json
import os

import pytest

from looop.agents import presets
from looop.core import schemas
from tests.helpers import EOF_KEY, FIXTURES, answer_prompts

FAKE_CLI = FIXTURES / "runners" / "fake-cli"


def stand_ins(loop, *names: str) -> dict[str, str]:
    """A PATH where `names` are the fake CLI, in front of the usual one."""
    bin_dir = loop.root / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name in names:
        (bin_dir / name).symlink_to(FAKE_CLI)
    # IS_SANDBOX: claude's preset refuses root otherwise (these tests may run as root).
    return {"PATH": f"{bin_dir}{os.pathsep}{loop.env['PATH']}", "IS_SANDBOX": "1"}


@pytest.mark.parametrize("name", presets.ORDER)
def test_init_writes_a_valid_config_for_each_preset(loop, name):
    out = loop.call("init", "--runner", name)
    assert out.returncode == 0, out.stderr
    cfg = json.loads(loop.config.read_text())
    assert cfg["default"] == name
    assert set(cfg["runners"]) == set(presets.ORDER)
    assert schemas.problems("config", cfg) == []


def test_claude_tick_streams_json_through_fmt():
    tick = presets.PRESETS["claude"]["tick"]
    assert "--output-format stream-json --verbose" in tick
    assert tick.endswith('| "$LOOOP_BIN" _fmt')


@pytest.mark.parametrize("name", presets.ORDER)
def test_each_preset_makes_a_move_with_its_cli(loop, name):
    env = stand_ins(loop, name)
    assert loop.call("init", "--runner", name).returncode == 0
    out = loop.run("tick", env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert loop.journal()[-1].endswith(f"{name} stand-in: nothing to do")
    assert loop.prompt_copy.read_text().startswith("You are one beat of looop")
    spend = loop.call("cost", "--json", env=env)
    # codex and gemini report tokens, priced at gpt-5 (2000 in, 300 out) and gemini-2.5-flash (10000, 2000)
    expected = {"claude": 0.0125, "pi": 0.0075, "codex": 0.0055, "gemini": 0.008}.get(name, 0)
    assert json.loads(spend.stdout)["total_usd"] == pytest.approx(expected)


def test_init_refuses_to_overwrite_without_force(loop):
    loop.config.write_text('{"default": "mine", "runners": {"mine": {"tick": "true"}}}')
    out = loop.call("init", "--runner", "pi")
    assert out.returncode == 1
    assert str(loop.config) in out.stderr and "--force" in out.stderr
    assert json.loads(loop.config.read_text())["default"] == "mine"


def test_init_force_overwrites_and_keeps_the_old_config(loop):
    loop.config.write_text('{"default": "mine", "runners": {"mine": {"tick": "true"}}}')
    out = loop.call("init", "--runner", "codex", "--force")
    assert out.returncode == 0, out.stderr
    assert json.loads(loop.config.read_text())["default"] == "codex"
    assert json.loads(loop.config.with_name("looop.json.bak").read_text())["default"] == "mine"
    cfg = json.loads(loop.config.read_text())
    assert cfg["runners"]["mine"] == {"tick": "true"}, "a hand-added runner survives --force"
    assert "kept your own runners: mine" in out.stdout and schemas.problems("config", cfg) == []


def test_init_without_a_terminal_picks_an_installed_runner(loop):
    out = loop.call("init", env=stand_ins(loop, "gemini"))
    assert out.returncode == 0, out.stderr
    assert json.loads(loop.config.read_text())["default"] == "gemini"
    assert "no terminal to ask on: picked gemini (the first installed of claude, pi, codex, gemini, opencode)" \
        in out.stdout


def test_init_rejects_an_unknown_runner(loop):
    out = loop.call("init", "--runner", "gpt-9")
    assert out.returncode == 2
    assert "gpt-9" in out.stderr and not loop.config.exists()


def test_a_tick_template_can_take_the_prompt_by_path(loop):
    # The data dir has a space in it: the path must arrive shell-quoted.
    data = loop.root / "my data"
    loop.env["LOOOP_DATA_DIR"] = str(data)
    loop.write_config(f"wc -c < /dev/stdin > stdin-bytes; {FIXTURES}/runners/fake-runner journal < {{{{prompt_file}}}}")
    out = loop.run("tick")
    assert out.returncode == 0, out.stdout + out.stderr
    assert (data / "stdin-bytes").read_text().strip() == "0", "the prompt goes by path, not also on stdin"
    assert loop.prompt_copy.read_text().startswith("You are one beat of looop")


def test_init_on_a_terminal_asks_which_runner(loop):
    seen, _ = answer_prompts(loop, ["init"], "runner [", ["7", "3"])  # 7 is out of range: asked again
    assert "3. codex" in seen and "5. opencode" in seen
    assert "please type a number" in seen
    assert json.loads(loop.config.read_text())["default"] == "codex"


def test_ctrl_d_in_interactive_init_aborts_and_writes_nothing(loop):
    seen, code = answer_prompts(loop, ["init"], "runner [", [EOF_KEY])
    assert code == 1
    assert "init: aborted (end of input); nothing was written" in seen and "Traceback" not in seen
    assert not loop.config.exists()


@pytest.mark.parametrize("name", ["opencode", "codex", "gemini"])
def test_a_long_brief_reaches_the_cli_whole_on_stdin(loop, name):
    seen = loop.prompt_copy.with_name("seen-prompt.md")  # where the stand-in, boxed, may write
    env = {**stand_ins(loop, name), "FAKE_PROMPT": str(seen)}
    assert loop.call("init", "--runner", name).returncode == 0
    loop.seed()
    for n in range(3):  # ~90 KB of goals: past the ~50 KB where opencode's --file cut briefs short
        (loop.data / "goals" / f"big-{n}.md").write_text(f"goal {n}\n" + ("y" * 99 + "\n") * 300)
    out = loop.run("tick", env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    [run] = [d for d in (loop.data / "runs").iterdir() if (d / "output.log").exists()]  # not the dry run
    sent = (run / "prompt.md").read_text()
    assert len(sent) > 90_000
    assert seen.read_text().rstrip("\n") == sent.rstrip("\n")


def test_gemini_never_stops_at_the_folder_trust_check():
    assert "--skip-trust" in presets.PRESETS["gemini"]["tick"]
    assert "--skip-trust" in presets.PRESETS["gemini"]["interactive"]
