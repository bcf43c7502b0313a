"""codex and opencode, the real CLIs, inside looop's box (bwrap), offline.

A scripted model on loopback (fixtures/model/openai_api.py) stands in for the
provider. Each CLI is checked as a user would see it:
- one beat: `looop tick` runs the preset's tick command in the box; the model
  calls the CLI's shell tool to write the typed decision, then ends in text;
  the beat succeeds, the journal has the move's line and the goal exists;
- one agent-mode beat: the shell tool runs `"$LOOOP_BIN" schedule write ...`,
  which goes out through the box's door; the schedule exists afterwards;
- a worker round trip: the preset's interactive command, boxed, runs
  `"$LOOOP_BIN" ask ...` through its shell tool; the human's `looop answer`
  comes back to the model as the tool's result; `looop kill` leaves nothing running.
Skipped when the CLI is not installed (LOOOP_REAL_CLI_BIN, then PATH) or bwrap cannot run here.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fixtures.model.openai_api import Script, Server, Turn
from looop.agents.presets import PRESETS, config_for
from looop.fleet.sessions import ALIVE_STATES
from tests.box.kit import needs_bwrap
from tests.fleet import kit as fleet
from tests.helpers import Loop, wait_for
from tests.mailbox import kit as mailbox
from tests.real.test_real_clis import KEY, SEARCH, done_once

pytestmark = needs_bwrap

GOAL = "boxed-beat"
JOURNAL = "boxed beat: the real CLI wrote this decision from inside the box"
QUESTION = "Ship the boxed release?"
ANSWER = "yes-ship-it-4711"
SCHEDULE = "boxed-agent"
AGENT_JOURNAL = "boxed agent beat: scheduled a wake-up through the door"
MARKER = "ROUND-TRIP-7f3a"  # in the worker's prompt: the model's cue, and the worker's fingerprint


def need(cli: str) -> str:
    found = shutil.which(cli, path=SEARCH)
    if not found:
        pytest.skip(f"{cli} is not installed (npm install its package, or set LOOOP_REAL_CLI_BIN)")
    return found


def decision_cmd() -> str:
    """The shell command the model runs to make the beat's one move."""
    move = {"move": "write_goal", "id": GOAL, "body": "# Boxed beat\nMade by a real CLI in the box.\n",
            "journal": JOURNAL}
    return f"printf '%s' '{json.dumps(move)}' > \"$LOOOP_DECISION\""


def ask_cmd() -> str:
    return f'"$LOOOP_BIN" ask --prompt "{QUESTION}"'


def agent_cmd() -> str:
    """Agent mode: the move is a verb through the box's door, then the beat's journal line."""
    return (f'"$LOOOP_BIN" schedule write {SCHEDULE} --in 2h --note "set from the box" '
            f'&& echo "- {AGENT_JOURNAL}" >> journal.md')


def use_preset(loop: Loop, cli: str, env: dict[str, str], moves: str = "typed") -> None:
    """Config: every preset, `cli` chosen, typed (or agent) moves, the box explicit (fails closed)."""
    cfg = config_for(cli)
    cfg["sandbox"] = "bwrap"
    cfg["moves"] = moves
    loop.config.write_text(json.dumps(cfg, indent=2))
    loop.env.update({"PATH": SEARCH, "LOOOP_SANDBOX": "bwrap", **env})
    loop.seed()


def beat(loop: Loop, script: Script) -> None:
    """One typed `looop tick`: the beat succeeds, its move's line is in the journal, the goal exists."""
    out = loop.run("tick", timeout=180)
    assert out.returncode == 0, f"{out.stdout}\n{out.stderr}\nthe model saw:\n{script.describe()}"
    assert any(JOURNAL in line for line in loop.journal()), loop.journal()
    assert (loop.data / "goals" / f"{GOAL}.md").read_text().startswith("# Boxed beat")
    assert not list(loop.data.glob(".decision*"))
    assert script.tool_results(), f"the CLI never sent its tool's result back:\n{script.describe()}"


def agent_beat(loop: Loop, script: Script) -> None:
    """One agent-mode `looop tick`: the verb went through the door and took effect, its line is in the journal."""
    out = loop.run("tick", timeout=180)
    assert out.returncode == 0, f"{out.stdout}\n{out.stderr}\nthe model saw:\n{script.describe()}"
    assert any(AGENT_JOURNAL in line for line in loop.journal()), loop.journal()
    listed = loop.run("schedule", "list")
    assert SCHEDULE in listed.stdout, listed.stdout + listed.stderr
    assert script.tool_results(), f"the CLI never sent its tool's result back:\n{script.describe()}"


def round_trip(loop: Loop, script: Script, wid: str) -> None:
    """Start a boxed worker, answer its ask as the human, see the answer reach the model, kill it."""
    out = loop.run("start-session", wid, f"{MARKER}: ask the human whether to ship, then stop.")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "in the box (bwrap)" in out.stdout
    try:
        [ask] = wait_ask(loop, script, wid)
        assert ask["worker"] == wid and QUESTION in json.dumps(ask)
        assert loop.run("answer", ask["id"], ANSWER).returncode == 0
        script.wait(lambda: any(ANSWER in t for t in script.tool_results()), 60, "the answer as the tool's result")
        assert leftovers(loop), "the live worker is not seen: the check below would prove nothing"
    finally:
        killed = loop.run("kill", wid, "--grace", "2")
    assert killed.returncode == 0, killed.stdout + killed.stderr
    wait_for(lambda: not leftovers(loop), 20, f"nothing of {wid} running (left: {leftovers(loop)})")


def wait_ask(loop: Loop, script: Script, wid: str) -> list[dict[str, Any]]:
    """The worker's pending ask. A tool result before it, or the worker's end, means the ask failed:
    say what the model and the worker's screen saw."""
    def pending_or_failed() -> list[dict[str, Any]] | bool:
        ended = fleet.status(loop, wid).get("state") not in (None, *ALIVE_STATES)
        return mailbox.pending(loop) or bool(script.tool_results()) or ended

    found = None
    try:
        found = wait_for(pending_or_failed, 90, "the worker's ask", every=0.5)
    except AssertionError:
        pass
    if isinstance(found, list):
        return found
    raise AssertionError(f"no ask came; the model saw:\n{script.describe()}\nworker log:\n"
                         + fleet.log_text(loop, wid)[-3000:])


def leftovers(loop: Loop) -> list[str]:
    """Live processes started for this test's loop (its HOME in their environment)."""
    home = f"HOME={loop.root / 'home'}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            env = (proc / "environ").read_bytes().split(b"\0")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            continue
        if home in env and state not in ("Z", "X"):
            found.append(f"{proc.name}: {cmd[:120]}")
    return found


@pytest.fixture
def model(tmp_path: Path) -> Iterator[tuple[Script, Server]]:
    """The scripted model; what it saw is left in model-requests.json beside the test's loop."""
    script = Script()
    with Server(script) as server:
        try:
            yield script, server
        finally:
            script.dump(tmp_path / "model-requests.json")


# --- codex ---------------------------------------------------------------------------------

def codex_env(loop: Loop, server: Server) -> dict[str, str]:
    """codex signed in with a key, its provider the scripted model (no websocket: plain HTTP/SSE). A model
    name codex has no metadata for gets its plain function tools (`exec_command`), not the code-mode `exec`."""
    need("codex")
    home = loop.root / "home"
    home.mkdir(exist_ok=True)
    done_once("codex", home)
    (home / ".codex" / "config.toml").write_text(
        'model = "scripted"\nmodel_provider = "scripted"\n\n[model_providers.scripted]\nname = "scripted"\n'
        f'base_url = "{server.url}/v1"\nenv_key = "OPENAI_API_KEY"\nwire_api = "responses"\n'
        "supports_websockets = false\n")
    return {"OPENAI_API_KEY": KEY}


def codex_call(cmd: str, **extra: Any) -> Turn:
    return Turn(tool="exec_command", args={"cmd": cmd, "yield_time_ms": 30000, **extra})


def test_codex_decides_one_beat_in_the_box(loop, model):
    script, server = model
    use_preset(loop, "codex", codex_env(loop, server))
    script.turns = [codex_call(decision_cmd(), when="=== RULES ==="), Turn(after_tool=True, say="Decision written.")]
    beat(loop, script)


def test_codex_makes_an_agent_move_through_the_door(loop, model):
    script, server = model
    use_preset(loop, "codex", codex_env(loop, server), moves="agent")
    script.turns = [codex_call(agent_cmd(), when="journal.md"), Turn(after_tool=True, say="Scheduled.")]
    agent_beat(loop, script)


def test_codex_worker_asks_the_human_from_the_box_and_dies_whole(loop, model):
    script, server = model
    use_preset(loop, "codex", codex_env(loop, server))
    assert "--no-daemon" in PRESETS["codex"]["interactive"]
    script.turns = [codex_call(ask_cmd(), when=MARKER), Turn(after_tool=True, when=ANSWER, say="Shipping.")]
    round_trip(loop, script, "w")


# --- opencode ------------------------------------------------------------------------------

def opencode_env(loop: Loop, server: Server) -> dict[str, str]:
    """opencode with one OpenAI-compatible provider, the scripted model, for every request (titles too)."""
    need("opencode")
    conf = loop.root / "home" / ".config" / "opencode"
    conf.mkdir(parents=True, exist_ok=True)
    provider = {"npm": "@ai-sdk/openai-compatible", "name": "Scripted",
                "options": {"baseURL": f"{server.url}/v1", "apiKey": KEY},
                "models": {"scripted": {"name": "Scripted", "tool_call": True}}}
    (conf / "opencode.json").write_text(json.dumps({
        "provider": {"scripted": provider}, "model": "scripted/scripted", "small_model": "scripted/scripted",
        "autoupdate": False, "share": "disabled"}, indent=2))
    return {}


def opencode_call(cmd: str, **extra: Any) -> Turn:
    return Turn(tool="bash", args={"command": cmd, "description": "looop move", **extra})


def test_opencode_decides_one_beat_in_the_box(loop, model):
    script, server = model
    use_preset(loop, "opencode", opencode_env(loop, server))
    script.turns = [opencode_call(decision_cmd(), when="=== RULES ==="), Turn(after_tool=True, say="Decision written.")]
    beat(loop, script)


def test_opencode_makes_an_agent_move_through_the_door(loop, model):
    script, server = model
    use_preset(loop, "opencode", opencode_env(loop, server), moves="agent")
    script.turns = [opencode_call(agent_cmd(), when="journal.md"), Turn(after_tool=True, say="Scheduled.")]
    agent_beat(loop, script)


def test_opencode_worker_asks_the_human_from_the_box_and_dies_whole(loop, model):
    script, server = model
    use_preset(loop, "opencode", opencode_env(loop, server))
    script.turns = [opencode_call(ask_cmd(), when=MARKER), Turn(after_tool=True, when=ANSWER, say="Shipping.")]
    round_trip(loop, script, "w")
