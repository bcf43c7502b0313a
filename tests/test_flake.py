"""flake.nix and flake.lock, checked without fetching nixpkgs.

`nix-instantiate --parse` proves the flake is valid Nix; evaluating its
outputs against a stand-in nixpkgs (fixtures/nix/eval-flake.nix) proves what
it would build: looop at the package's one version, its four Python
dependencies, git on the wrapped PATH, the app, the dev shell and the check.
What only a machine with network can do is in docs/nix.md.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

import pytest

from looop import __version__
from tests.helpers import FIXTURES, ROOT

FLAKE = ROOT / "flake.nix"
needs_nix = pytest.mark.skipif(shutil.which("nix-instantiate") is None,
                               reason="nix-instantiate is not installed (Debian: apt-get install nix-bin)")


@pytest.fixture(scope="module")
def flake() -> dict[str, Any]:
    expr = f"import {FIXTURES / 'nix' / 'eval-flake.nix'} {FLAKE}"
    done = subprocess.run(["nix-instantiate", "--eval", "--strict", "--json", "--expr", expr],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@needs_nix
def test_the_flake_parses():
    done = subprocess.run(["nix-instantiate", "--parse", str(FLAKE)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


@needs_nix
def test_the_flake_builds_looop_at_the_one_version(flake: dict[str, Any]):
    systems = {"x86_64-linux", "aarch64-linux", "x86_64-darwin", "aarch64-darwin"}
    assert systems <= set(flake)
    for system in systems:
        pkg = flake[system]
        assert (pkg["pname"], pkg["version"], pkg["mainProgram"]) == ("looop", __version__, "looop")
        assert pkg["dependencies"] == ["plumbum", "platformdirs", "jsonschema", "ptyprocess",
                                       "apprise", "croniter", "bashlex", "pyte", "textual"]
        assert pkg["makeWrapperArgs"][:3] == ["--prefix", "PATH", ":"]
        assert "/nix/store/mock-git/bin" in pkg["makeWrapperArgs"][3].split(":")
        assert pkg["app"] == {"type": "app", "program": f"/nix/store/mock-looop-{__version__}/bin/looop"}
        assert {"pytest", "hypothesis", "shiv"} <= set(pkg["shellPython"])
        assert pkg["checkRuns"] and "pytestCheckHook" in pkg["checkInputs"]


@needs_nix
def test_the_check_leaves_out_only_tests_that_cannot_run_in_the_sandbox(flake: dict[str, Any]):
    skipped = flake["x86_64-linux"]["disabledTestPaths"]
    assert all((ROOT / path).is_file() for path in skipped)  # no stale names
    for path in skipped:
        text = (ROOT / path).read_text()
        assert any(need in text for need in ("zipapp", "wheelhouse", "nix-instantiate", "PATH=/usr/bin:/bin"))


def flake_inputs() -> dict[str, str]:
    """input name -> url, as written in flake.nix (`inputs.<name>.url = "...";`)."""
    text = FLAKE.read_text()
    return dict(re.findall(r'inputs\.([\w-]+)\.url\s*=\s*"([^"]+)"', text))


def test_the_lock_pins_exactly_the_flakes_inputs():
    lock = json.loads((ROOT / "flake.lock").read_text())
    assert lock["version"] == 7
    root = lock["nodes"][lock["root"]]
    inputs = flake_inputs()
    assert inputs and set(root["inputs"]) == set(inputs)
    for name, url in inputs.items():
        node = lock["nodes"][root["inputs"][name]]
        kind, rest = url.split(":", 1)
        owner, repo, *ref = rest.split("/")
        want = {"type": kind, "owner": owner, "repo": repo, **({"ref": ref[0]} if ref else {})}
        assert node["original"] == want
        locked = node["locked"]
        assert {k: locked[k] for k in ("type", "owner", "repo")} == {k: want[k] for k in ("type", "owner", "repo")}
        assert re.fullmatch(r"[0-9a-f]{40}", locked["rev"])
        assert re.fullmatch(r"sha256-[A-Za-z0-9+/]{43}=", locked["narHash"])
        assert isinstance(locked["lastModified"], int)
