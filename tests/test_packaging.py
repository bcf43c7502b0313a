"""The Python install paths: wheel, sdist, `pip install git+URL`, pipx.

Each installs into a fresh venv from the session's wheelhouse (no download)
and must leave a `looop` that runs a real beat, with the package data it
needs (schemas, seed files) coming from the installed package.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from looop import __version__
from tests.helpers import FAKE_RUNNER, ROOT
from tests.shipping import BUILD_TIMEOUT, Wheelhouse, fresh_venv, minimal_env, pip

PACKAGE_DATA = sorted(
    p.relative_to(ROOT).as_posix()
    for sub in ("schemas", "seed") for p in (ROOT / "looop" / sub).rglob("*") if p.is_file()
)


def run(argv: list[str], env: dict[str, str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def fake_config(path: Path, *moves: str) -> Path:
    tick = " ".join(shlex.quote(w) for w in [str(FAKE_RUNNER), *moves])
    path.write_text(json.dumps({"default": "fake", "runners": {"fake": {"tick": tick}}}))
    return path


def assert_beats(looop: list[str], home: Path) -> None:
    """version, python -m looop, demo, and a tick with the fake runner."""
    env = minimal_env(home, LOOOP_CONFIG=str(fake_config(home / "looop.json", "journal", "shipped")))
    out = run([*looop, "version"], env, home)
    assert out.stdout.strip() == f"looop {__version__}", out.stderr
    demo = run([*looop, "demo"], env, home)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "decided in" in demo.stdout and "world unchanged" in demo.stdout
    tick = run([*looop, "tick"], env, home)
    assert tick.returncode == 0, tick.stdout + tick.stderr
    journal = (home / ".local" / "state" / "looop" / "journal.md").read_text()
    assert journal.rstrip().endswith("shipped")
    assert (home / ".local" / "state" / "looop" / "sensors" / "today.sh").stat().st_mode & 0o111


@pytest.fixture(scope="module")
def source_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's files (committed or not) as a fresh git repository."""
    repo = tmp_path_factory.mktemp("src") / "looop"
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    repo.mkdir()
    for name in filter(None, listed.split("\0")):
        src, dst = ROOT / name, repo / name
        if not src.exists() and not src.is_symlink():
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            dst.symlink_to(os.readlink(src))
        else:
            dst.write_bytes(src.read_bytes())
            dst.chmod(src.stat().st_mode)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "snapshot"], cwd=repo, check=True)
    return repo


def test_wheel_carries_the_package_data(wheelhouse: Wheelhouse):
    assert wheelhouse.wheel.name == f"looop-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheelhouse.wheel) as wheel:
        names = set(wheel.namelist())
        entry_points = wheel.read(f"looop-{__version__}.dist-info/entry_points.txt").decode()
    assert [p for p in PACKAGE_DATA if p not in names] == []
    assert "looop/__main__.py" in names
    assert re.search(r"^looop = looop\.cli:main$", entry_points, re.M)


def test_wheel_in_a_fresh_venv_runs_a_beat(tmp_path: Path, wheelhouse: Wheelhouse):
    venv = fresh_venv(tmp_path / "venv", wheelhouse, str(wheelhouse.wheel))
    home = tmp_path / "home"
    home.mkdir()
    assert_beats([str(venv / "bin" / "looop")], home)
    module = run([str(venv / "bin" / "python"), "-m", "looop", "version"], minimal_env(home), home)
    assert module.stdout.strip() == f"looop {__version__}"


def test_sdist_has_what_a_build_from_it_needs(tmp_path: Path):
    done = subprocess.run([sys.executable, "-m", "build", "--sdist", "--no-isolation", "-o", str(tmp_path), str(ROOT)],
                          capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    (sdist,) = tmp_path.glob("looop-*.tar.gz")
    assert sdist.name == f"looop-{__version__}.tar.gz"
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    missing = [p for p in [*PACKAGE_DATA, "pyproject.toml", "looop/__init__.py"] if p not in names]
    assert missing == []


def test_pip_install_from_a_git_url(tmp_path: Path, wheelhouse: Wheelhouse, source_tree: Path):
    # an isolated PEP 517 build from a git checkout, as `pip install git+https://...` does
    venv = fresh_venv(tmp_path / "venv", wheelhouse, f"git+file://{source_tree}")
    out = run([str(venv / "bin" / "looop"), "version"], minimal_env(tmp_path), tmp_path)
    assert out.stdout.strip() == f"looop {__version__}", out.stderr


@pytest.mark.skipif(importlib.util.find_spec("pipx") is None, reason="pipx is not installed (pip install pipx)")
def test_pipx_install_from_the_source_tree(tmp_path: Path, wheelhouse: Wheelhouse, source_tree: Path):
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "PIPX_HOME": str(tmp_path / "pipx"), "PIPX_BIN_DIR": str(home / "bin"),
           "PIPX_MAN_DIR": str(tmp_path / "man"), "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheelhouse.dir),
           "USE_EMOJI": "0"}
    done = subprocess.run([sys.executable, "-m", "pipx", "install", str(source_tree)], env=env,
                          capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    out = run([str(home / "bin" / "looop"), "version"], minimal_env(home), home)
    assert out.stdout.strip() == f"looop {__version__}", out.stderr
