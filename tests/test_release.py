"""The release workflow's contract with install.sh and the one version.

install.sh asks for looop-<os>-<arch> and its .sha256; the release must
build and attach exactly those names, for every platform install.sh knows,
plus the wheel and the sdist, and refuse a tag that is not the version.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from looop import __version__
from tests.helpers import ROOT
from tests.test_install_sh import PLATFORMS

WORKFLOWS = ROOT / ".github" / "workflows"


def build_script() -> ModuleType:
    path = str(ROOT / "scripts" / "build-shiv")
    loader = importlib.machinery.SourceFileLoader("build_shiv", path)
    spec = importlib.util.spec_from_loader("build_shiv", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def workflow(name: str) -> dict[str, Any]:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def steps_text(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) + str(step.get("with", "")) for step in job["steps"])


def test_release_builds_every_asset_install_sh_asks_for():
    release = workflow("release.yml")
    assert release[True]["push"]["tags"] == ["v*"]  # yaml reads the `on:` key as True
    job = release["jobs"]["executable"]
    assets = {entry["asset"] for entry in job["strategy"]["matrix"]["include"]}
    assert assets == set(PLATFORMS.values())
    text = steps_text(job)
    assert "scripts/build-shiv --asset ${{ matrix.asset }}" in text
    uploads = [step["with"]["path"].splitlines() for step in job["steps"]
               if str(step.get("uses", "")).startswith("actions/upload-artifact")]
    assert uploads == [["dist/${{ matrix.asset }}", "dist/${{ matrix.asset }}.sha256"]]


def test_the_build_script_names_each_platform_as_install_sh_does():
    script = build_script()
    for (system, machine), asset in PLATFORMS.items():
        assert script.asset_name(system, machine) == asset
    wrong = subprocess.run([sys.executable, str(ROOT / "scripts" / "build-shiv"), "--asset", "looop-plan9-mips"],
                           capture_output=True, text=True, timeout=30)
    assert wrong.returncode == 2 and "this machine builds looop-" in wrong.stderr


def test_release_ships_wheel_and_sdist_for_the_tagged_version_only():
    jobs = workflow("release.yml")["jobs"]
    python = steps_text(jobs["python"])
    assert "python -m build" in python
    assert """test "v$(python -c 'import looop; print(looop.__version__)')" = "$GITHUB_REF_NAME\"""" in python
    assert set(jobs["publish"]["needs"]) == {"python", "executable"}
    assert "gh release create" in steps_text(jobs["publish"]) and "dist/*" in steps_text(jobs["publish"])


def test_ci_runs_the_ci_script():
    ci = workflow("ci.yml")
    assert any(step.get("run") == "bash .ci/run" for step in ci["jobs"]["test"]["steps"])


def test_one_version_number_everywhere():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject and 'version = {attr = "looop.__version__"}' in pyproject
    assert not re.search(r'(?m)^version\s*=\s*"', pyproject)
    assert not re.search(r'version\s*=\s*"\d', (ROOT / "flake.nix").read_text())  # it reads __init__.py
    mentioned: dict[str, set[str]] = {}
    for doc in [*ROOT.glob("*.md"), *(ROOT / "docs").glob("*.md"), ROOT / "install.sh"]:
        for found in re.findall(r"looop (\d+\.\d+\.\d+)", doc.read_text()):
            mentioned.setdefault(found, set()).add(str(Path(doc).relative_to(ROOT)))
    assert set(mentioned) <= {__version__}, f"stale version numbers: {mentioned}"


def test_one_github_repository_everywhere():
    pyproject = (ROOT / "pyproject.toml").read_text()
    (slug,) = set(re.findall(r'Homepage = "https://github.com/([\w.-]+/[\w.-]+)"', pyproject))
    install_sh = (ROOT / "install.sh").read_text()
    assert f"LOOOP_REPO:-{slug}}}" in install_sh
    named = {}
    for path in [ROOT / "install.sh", ROOT / "flake.nix", *(ROOT / "docs").glob("*.md")]:
        named[path.name] = set(re.findall(r"github(?::|\.com/|usercontent\.com/)([\w.-]+/looop)\b", path.read_text()))
    assert {name: repos for name, repos in named.items() if repos - {slug}} == {}
    assert {slug} == named["install.sh"] == named["flake.nix"] == named["install.md"] == named["nix.md"]
