"""Guard rails CI runs: ruff and mypy pass on the code base with the config in pyproject.toml."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from tests.helpers import ROOT


@pytest.mark.parametrize("tool, argv", [
    ("ruff", ["ruff", "check", "--no-cache", "--output-format", "concise", "."]),
    ("mypy", ["mypy", "--cache-dir", "/dev/null"]),
])
def test_the_linters_pass(tool: str, argv: list[str]):
    if importlib.util.find_spec(tool) is None:
        pytest.skip(f"{tool} is not installed (pip install -e '.[test]')")
    done = subprocess.run([sys.executable, "-m", *argv], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
