"""Memory is really git: the data dir is a repository of the loop's policy.

Seeded dirs are `git init`ed with a first commit; every decided beat commits
the tracked files with the journal line as the message. Off with config
`"git": false`, or silently when git is not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

_IDENTITY = {
    "GIT_AUTHOR_NAME": "looop", "GIT_AUTHOR_EMAIL": "looop@localhost",
    "GIT_COMMITTER_NAME": "looop", "GIT_COMMITTER_EMAIL": "looop@localhost",
}


def available() -> bool:
    return shutil.which("git") is not None


def _git(data: Path, *args: str, check: bool = False, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=data, env=env, text=True, capture_output=True, check=check,
                          stdin=subprocess.DEVNULL)


def is_repo(data: Path) -> bool:
    return (data / ".git").exists()


def init(data: Path) -> bool:
    if not available() or is_repo(data):
        return False
    if _git(data, "init", "-q").returncode != 0:
        return False
    return commit(data, "looop: seed the data dir")


def commit(data: Path, message: str) -> bool:
    """Commit whatever tracked state changed; False when there was nothing."""
    if not available() or not is_repo(data):
        return False
    _git(data, "add", "-A", ".")
    if _git(data, "diff", "--cached", "--quiet").returncode == 0:
        return False
    env = None
    if not _git(data, "config", "user.email").stdout.strip():
        env = {**os.environ, **{k: v for k, v in _IDENTITY.items() if k not in os.environ}}
    done = _git(data, "commit", "-q", "--no-verify", "-m", message or "looop: beat", env=env)
    return done.returncode == 0
