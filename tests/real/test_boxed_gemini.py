"""gemini, the real CLI, inside looop's box (bwrap), offline: the checks of
tests/real/test_boxed_openai.py (a typed beat; an agent-mode beat through the door;
a worker's ask answered by the human, then killed whole), against a scripted
Gemini API on loopback (fixtures/model/gemini_api.py). Its shell tool refuses
`$(...)`, so the commands it runs are plain."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fixtures.model.gemini_api import Script, Server, Turn, gemini_server
from tests.box.kit import needs_bwrap
from tests.helpers import Loop
from tests.real.test_boxed_openai import (
    ANSWER,
    MARKER,
    agent_beat,
    agent_cmd,
    ask_cmd,
    beat,
    decision_cmd,
    need,
    round_trip,
    use_preset,
)
from tests.real.test_real_clis import KEY, done_once

pytestmark = needs_bwrap


@pytest.fixture
def model(tmp_path: Path) -> Iterator[tuple[Script, Server]]:
    """The scripted Gemini API; what it saw is left in model-requests.json beside the test's loop."""
    script = Script()
    with gemini_server(script) as server:
        try:
            yield script, server
        finally:
            script.dump(tmp_path / "model-requests.json")


def gemini_env(loop: Loop, server: Server) -> dict[str, str]:
    """gemini signed in with a key (the README's one-time step), its API the scripted model."""
    need("gemini")
    home = loop.root / "home"
    home.mkdir(exist_ok=True)
    if not (home / ".gemini").exists():
        done_once("gemini", home)
    return {"GEMINI_API_KEY": KEY, "GOOGLE_GEMINI_BASE_URL": server.url}


def shell(cmd: str, **extra: Any) -> Turn:
    return Turn(tool="run_shell_command", args={"command": cmd, "description": "looop move", **extra})


def test_gemini_decides_one_beat_in_the_box(loop, model):
    script, server = model
    use_preset(loop, "gemini", gemini_env(loop, server))
    script.turns = [shell(decision_cmd(), when="=== RULES ==="), Turn(after_tool=True, say="Decision written.")]
    beat(loop, script)


def test_gemini_makes_an_agent_move_through_the_door(loop, model):
    script, server = model
    use_preset(loop, "gemini", gemini_env(loop, server), moves="agent")
    script.turns = [shell(agent_cmd(), when="journal.md"), Turn(after_tool=True, say="Scheduled.")]
    agent_beat(loop, script)


def test_gemini_worker_asks_the_human_from_the_box_and_dies_whole(loop, model):
    script, server = model
    use_preset(loop, "gemini", gemini_env(loop, server))
    script.turns = [shell(ask_cmd(), when=MARKER), Turn(after_tool=True, when=ANSWER, say="Shipping.")]
    round_trip(loop, script, "w")
