"""The real claude and pi CLIs inside the box (SPEC §19), offline, against a scripted model.

Each CLI is run by its own preset, as `looop init` writes it, with
`LOOOP_SANDBOX=bwrap`; the model is a loopback server speaking the Anthropic
Messages API (fixtures/model/anthropic_api.py) that answers with the CLI's own
shell tool. A beat: the CLI writes its move from inside the box and the move
takes effect. A worker: the CLI asks the human through the box's door, the
human answers, and the answer comes back to the model as the tool's result;
`looop kill` then leaves nothing of the worker running.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.box.kit import BWRAP_PROBLEM
from tests.fleet import kit as fleet
from tests.helpers import FIXTURES, Loop, wait_for
from tests.mailbox import kit as mailbox
from tests.real.test_real_clis import KEY, SEARCH, done_once


def _load_model() -> Any:
    """The scripted model, loaded by path (fixtures/ is not a package)."""
    name = "fixtures_model_anthropic_api"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, FIXTURES / "model" / "anthropic_api.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the class is made
        spec.loader.exec_module(module)
    return sys.modules[name]


api = _load_model()

# Each CLI's shell tool, as it offers it in its request's `tools` list.
SHELL = {"claude": "Bash", "pi": "bash"}
pytestmark = pytest.mark.skipif(bool(BWRAP_PROBLEM), reason=f"bwrap cannot run here: {BWRAP_PROBLEM}")


def shell_call(cli: str, command: str) -> dict[str, Any]:
    """The input of a shell tool call that runs `command`."""
    if cli == "claude":
        return {"command": command, "description": "Run one looop step"}
    return {"command": command}


def installed(cli: str) -> None:
    """Skip, saying why, when the CLI is neither under LOOOP_REAL_CLI_BIN nor on PATH."""
    if not shutil.which(cli, path=SEARCH):
        pytest.skip(f"{cli} is not installed (npm i -g its package, or set LOOOP_REAL_CLI_BIN)")


def boxed(loop: Loop, cli: str, model: Any, moves: str = "typed") -> Loop:
    """A data dir and config made by `looop init --runner <cli>`, the box forced on, the CLI
    pointed at the scripted model."""
    home = loop.root / "home"
    home.mkdir(exist_ok=True)
    done_once(cli, home)
    if cli == "pi":  # pi reaches Anthropic through its own provider table, not the environment
        agent = home / ".pi" / "agent"
        agent.mkdir(parents=True, exist_ok=True)
        (agent / "models.json").write_text(json.dumps({"providers": {"anthropic": {"baseUrl": model.base_url}}}))
    loop.env.update(PATH=SEARCH, IS_SANDBOX="1", ANTHROPIC_API_KEY=KEY, ANTHROPIC_BASE_URL=model.base_url,
                    LOOOP_SANDBOX="bwrap")
    out = loop.run("init", "--runner", cli)
    assert out.returncode == 0, out.stdout + out.stderr
    config = json.loads(loop.config.read_text())
    assert config["default"] == cli
    loop.config.write_text(json.dumps({**config, "moves": moves}, indent=2))
    loop.seed()
    return loop


JOURNAL = "water-plants: the ferns are dry, tracking it as a goal"
# Where the beat's one move goes: typed, a decision file bound into the box; agent,
# a looop verb that leaves the box through its door.
MOVE = {
    "typed": "printf '%s' " + shlex.quote(json.dumps({"move": "write_goal", "id": "water-plants",
                                                      "body": "# Water the plants\n", "journal": JOURNAL}))
             + ' > "$LOOOP_DECISION"',
    "agent": f'"$LOOOP_BIN" goal --journal {shlex.quote(JOURNAL)} write water-plants "# Water the plants"',
}
# ...and what the CLI's shell tool saw of its box.
PROBE = 'echo "boxed=$LOOOP_BOXED"; if [ -w PLAYBOOK.md ]; then echo playbook-writable; else echo playbook-read-only; fi'


@pytest.mark.parametrize("moves", ["typed", "agent"])
@pytest.mark.parametrize("cli", ["claude", "pi"])
def test_a_real_cli_in_the_box_decides_a_beat_whose_move_takes_effect(loop, cli, moves):
    installed(cli)
    turns = [api.Turn(when="=== PLAYBOOK ===", tool=SHELL[cli], tool_input=shell_call(cli, f"{MOVE[moves]}; {PROBE}")),
             api.Turn(after_tool=True, text="Made the move.")]
    with api.ScriptedModel(turns) as model:
        boxed(loop, cli, model, moves=moves)
        beat = loop.run("tick", timeout=180)
        assert beat.returncode == 0, beat.stdout + beat.stderr
        assert any("sandbox: bwrap" in "\n".join(latest_texts(b)) for b in model.messages()), \
            "the prompt the CLI sent does not say it runs in the box"
        [result] = model.tool_results()  # its shell ran in the box: the data dir is read-only there
        assert "boxed=1" in result and "playbook-read-only" in result, result
    assert (loop.data / "goals" / "water-plants.md").read_text().startswith("# Water the plants")
    assert JOURNAL in loop.journal()[-1]
    assert [ln for ln in loop.journal() if "water-plants" in ln] == [loop.journal()[-1]]
    assert not list(loop.data.glob(".decision*"))


@pytest.mark.parametrize("cli", ["claude", "pi"])
def test_a_real_cli_worker_in_the_box_asks_the_human_and_gets_the_answer(loop, cli):
    installed(cli)
    ask = '"$LOOOP_BIN" ask --prompt "Which pot for the fern?"; echo "boxed=$LOOOP_BOXED"'
    turns = [api.Turn(when="FERN-POT-TASK", tool=SHELL[cli], tool_input=shell_call(cli, ask)),
             api.Turn(after_tool=True, when="terracotta-42", text="Using the terracotta pot.")]
    with api.ScriptedModel(turns) as model:
        boxed(loop, cli, model)
        out = loop.run("start-session", "fern", "FERN-POT-TASK: pick a pot for the fern")
        assert out.returncode == 0, out.stdout + out.stderr
        [pending] = mailbox.wait_pending(loop, timeout=120)
        assert pending["worker"] == "fern" and "Which pot for the fern?" in json.dumps(pending)
        assert loop.run("answer", pending["id"], "terracotta-42").returncode == 0
        [result] = model.wait(lambda: [r for r in model.tool_results() if "terracotta-42" in r], 60,
                              f"{cli} to send the answer back as its tool's result")
        assert "boxed=1" in result, result
        fleet.wait_output(loop, "fern", "terracotta", timeout=60)  # the human sees it in its terminal
        alive = of_worker(loop, "fern")
        assert len(alive) >= 3, f"the supervisor, the box and the CLI should be running: {alive}"
        killed = loop.run("kill", "fern", "--grace", "2")
        assert killed.returncode == 0, killed.stdout + killed.stderr
        wait_for(lambda: not of_worker(loop, "fern"), 20, "every process of the worker to end")
    assert fleet.status(loop, "fern")["state"] not in ("starting", "running")
    assert mailbox.pending(loop) == []


def latest_texts(body: dict[str, Any]) -> list[str]:
    return api.latest_user(body)[0]


def of_worker(loop: Loop, wid: str) -> list[int]:
    """Live processes of worker `wid` of this loop: its supervisor (whose command line names
    the session dir), and the box, the CLI and its shells (whose environment names the
    session and this data dir)."""
    session = str(fleet.session_dir(loop, wid)).encode()
    marks = {f"LOOOP_SESSION_ID=looop-{wid}".encode(), f"LOOOP_DATA_DIR={loop.data}".encode()}
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            env = set((proc / "environ").read_bytes().split(b"\0"))
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError):
            continue
        if state not in ("Z", "X") and (marks <= env or session in argv):
            found.append(int(proc.name))
    return found
