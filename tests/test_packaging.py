"""The Python install paths: wheel, sdist, `pip install git+URL`, pipx.

Each installs into a fresh venv from the session's wheelhouse (no download)
and must leave a `looop` that runs a real beat, with the package data it
needs (schemas, seed files) coming from the installed package.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from looop import __version__
from tests.helpers import ROOT
from tests.shipping import BUILD_TIMEOUT, Wheelhouse, assert_beats, fresh_venv, minimal_env, run

PACKAGE_DATA = sorted(
    p.relative_to(ROOT).as_posix()
    for sub in ("schemas", "seed") for p in (ROOT / "looop" / sub).rglob("*") if p.is_file()
)


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


@pytest.mark.skipif(importlib.util.find_spec("uv") is None, reason="uv is not installed (pip install uv)")
def test_uv_tool_install_from_the_source_tree(tmp_path: Path, wheelhouse: Wheelhouse, source_tree: Path):
    from uv import find_uv_bin

    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "UV_TOOL_DIR": str(tmp_path / "tools"), "UV_TOOL_BIN_DIR": str(home / "bin"),
           "UV_CACHE_DIR": str(tmp_path / "uv-cache"), "UV_NO_INDEX": "1", "UV_FIND_LINKS": str(wheelhouse.dir),
           "UV_PYTHON_DOWNLOADS": "never", "UV_PYTHON": sys.executable}
    done = subprocess.run([find_uv_bin(), "tool", "install", str(source_tree)], env=env,
                          capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    out = run([str(home / "bin" / "looop"), "version"], minimal_env(home), home)
    assert out.stdout.strip() == f"looop {__version__}", out.stderr
