"""What the packaging tests share: artefacts built once per test session.

`wheelhouse` holds looop's wheel and every dependency's wheel, so each fresh
venv installs with `--no-index` (no download per test). `zipapp` is the real
single-file executable built by scripts/build-shiv (shiv) from that wheelhouse.
"""

from __future__ import annotations

import fcntl
import json
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from looop import __version__
from tests.helpers import FAKE_RUNNER, ROOT

BUILD_TIMEOUT = 600  # installing and zipping every dependency takes a while on a busy machine


@dataclass(frozen=True)
class Wheelhouse:
    dir: Path
    wheel: Path

    def pip_args(self) -> list[str]:
        return ["--no-index", "--find-links", str(self.dir)]


def pip(*args: str, timeout: float = BUILD_TIMEOUT) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def fresh_venv(where: Path, wheelhouse: Wheelhouse, *requirements: str) -> Path:
    """A new venv (no pip of its own) with `requirements` installed offline."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, timeout=60)
    python = where / "bin" / "python"
    pip("--python", str(python), "install", "-q", *wheelhouse.pip_args(), *requirements)
    return where


def minimal_env(home: Path, **extra: str) -> dict[str, str]:
    """What cron gives a job: a short PATH, a HOME, nothing else of ours."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "TMPDIR": str(home)}
    env.update(extra)
    return env


def bare_python_path(scratch: Path) -> str:
    """A minimal PATH whose python3 (>= 3.11) has none of looop's dependencies.

    The system python3 when it is new enough, else this interpreter's base
    (not the test venv, which has everything installed)."""
    probe = subprocess.run(["/usr/bin/python3", "-c", "import sys; print(sys.version_info >= (3, 11))"],
                           capture_output=True, text=True) if Path("/usr/bin/python3").exists() else None
    if probe is not None and probe.stdout.strip() == "True":
        return "/usr/bin:/bin"
    bin_dir = scratch / "python-bin"
    bin_dir.mkdir(exist_ok=True)
    link = bin_dir / "python3"
    if not link.exists():
        link.symlink_to(getattr(sys, "_base_executable", sys.executable))
    return f"{bin_dir}:/usr/bin:/bin"


def run(argv: list[str], env: dict[str, str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def fake_config(path: Path, *moves: str) -> Path:
    tick = " ".join(shlex.quote(w) for w in [str(FAKE_RUNNER), *moves])
    path.write_text(json.dumps({"default": "fake", "runners": {"fake": {"tick": tick}}}))
    return path


def assert_beats(looop: list[str], home: Path) -> None:
    """`version`, `demo`, and a `tick` whose fake runner calls looop back."""
    env = minimal_env(home, PATH=bare_python_path(home), LOOOP_CONFIG=str(fake_config(home / "looop.json", "cost", "0.25", "journal", "shipped")))
    out = run([*looop, "version"], env, home)
    assert out.stdout.strip() == f"looop {__version__}", out.stderr
    demo = run([*looop, "demo"], env, home)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "decided in" in demo.stdout and "world unchanged" in demo.stdout
    tick = run([*looop, "tick"], env, home)
    assert tick.returncode == 0, tick.stdout + tick.stderr
    journal = (home / ".local" / "state" / "looop" / "journal.md").read_text()
    assert journal.rstrip().endswith("shipped")
    data = home / ".local" / "state" / "looop"
    assert (data / "sensors" / "today.sh").stat().st_mode & 0o111
    # the runner reached this very looop again through $LOOOP_BIN
    assert json.loads((data / "cost.jsonl").read_text().splitlines()[-1])["cost_usd"] == 0.25


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that builds the shared artefacts first gets the time to build them (the build has its own limits);
    all of them run in one test process, so the wheel and the single file are built once, not once per process."""
    for item in items:
        if {"wheelhouse", "zipapp"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.xdist_group("shipping"))
            if not item.get_closest_marker("timeout"):
                item.add_marker(pytest.mark.timeout(3 * BUILD_TIMEOUT))


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Wheelhouse:
    where = tmp_path_factory.mktemp("wheelhouse")
    # setuptools builds in the checkout's build/: one test process at a time
    (ROOT / "build").mkdir(exist_ok=True)
    with (ROOT / "build" / ".wheel.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        pip("wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(where), str(ROOT))
    (wheel,) = where.glob("looop-*.whl")
    # the dependencies (from pip's cache after `pip install -e .[test]`), and
    # setuptools so an isolated build (pipx, git+url) can also run offline,
    # and pip for the venvs pipx makes
    pip("wheel", "-q", "-w", str(where), str(wheel), "setuptools>=70.1", "pip")
    return Wheelhouse(dir=where, wheel=wheel)


@pytest.fixture(scope="session")
def zipapp(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Wheelhouse) -> Path:
    where = tmp_path_factory.mktemp("zipapp")
    out = where / "dist" / "looop"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build-shiv"), "--out", str(out), "--work", str(where / "work"),
         "--no-build-isolation", "--", *wheelhouse.pip_args()],
        capture_output=True, text=True, timeout=BUILD_TIMEOUT, env={**os.environ, "PIP_NO_INPUT": "1"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out
