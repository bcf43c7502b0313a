"""What the packaging tests share: artefacts built once per test session.

`wheelhouse` holds looop's wheel and every dependency's wheel, so each fresh
venv installs with `--no-index` (no download per test). `zipapp` is the real
single-file executable built by scripts/build-zipapp from that wheelhouse.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import ROOT

BUILD_TIMEOUT = 240


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


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Wheelhouse:
    where = tmp_path_factory.mktemp("wheelhouse")
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
        [sys.executable, str(ROOT / "scripts" / "build-zipapp"), "--out", str(out), "--work", str(where / "work"),
         "--no-build-isolation", "--", *wheelhouse.pip_args()],
        capture_output=True, text=True, timeout=BUILD_TIMEOUT, env={**os.environ, "PIP_NO_INPUT": "1"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out
