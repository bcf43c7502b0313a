"""The hot path imports only what it needs: `looop version`, `looop help` and an
unchanged `looop tick` never load the heavy libraries of other verbs, and an
unchanged tick checks its config against the digest of the last valid one
instead of validating it again."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = {"jsonschema", "apprise", "croniter", "bashlex", "pyte", "textual"}
# runs a verb in a fresh interpreter, then writes down every module it imported
PROBE = """
import json, sys
from looop.cli import main
code = main(sys.argv[2:])
with open(sys.argv[1], "w") as fh:
    json.dump(sorted(sys.modules), fh)
raise SystemExit(code)
"""


def imported(loop, *verb: str) -> tuple[set[str], str]:
    where = loop.root / "modules.json"
    done = subprocess.run([sys.executable, "-c", PROBE, str(where), *verb], env=loop.env, cwd=loop.root,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return set(json.loads(where.read_text())), done.stdout


@pytest.mark.parametrize("verb", [("version",), ("help",)])
def test_version_and_help_load_no_heavy_library(loop, verb):
    modules, _ = imported(loop, *verb)
    assert not {m.split(".")[0] for m in modules} & HEAVY


def test_an_unchanged_tick_loads_no_heavy_library_and_validates_nothing(loop):
    loop.fake("journal")
    assert loop.run("tick").returncode == 0  # decides once; the world is unchanged from now on
    modules, out = imported(loop, "tick")
    assert "world unchanged" in out
    assert not {m.split(".")[0] for m in modules} & HEAVY
    assert "looop.core.schemas" not in modules
