"""The data dir's git is looop's alone: explicit paths, a clean git environment,
a private history inside someone else's repository, and failures said out loud."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import clean_env


def git(where: Path, *args: str, env: dict | None = None) -> str:
    return subprocess.run(["git", *args], cwd=where, capture_output=True, text=True, check=True,
                          env=env or clean_env(where)).stdout


def user_repo(root: Path) -> Path:
    repo = root / "project"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "me@example.com")
    git(repo, "config", "user.name", "me")
    (repo / ".gitignore").write_text("build/\n")
    (repo / "code.py").write_text("print('v1')\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "mine")
    git(repo, "branch", "feature")
    (repo / "code.py").write_text("print('work in progress')\n")  # unstaged
    (repo / ".env").write_text("SECRET=1\n")  # untracked
    (repo / "staged.txt").write_text("half done\n")
    git(repo, "add", "staged.txt")
    return repo


def user_state(repo: Path) -> tuple:
    return (git(repo, "rev-parse", "HEAD"), git(repo, "status", "--porcelain", "--untracked-files=no"),
            git(repo, "branch", "--list"), (repo / ".gitignore").read_text(), git(repo, "ls-files", "--stage"))


@pytest.mark.parametrize("inside", [False, True], ids=["at-the-top", "in-a-subdir"])
def test_a_data_dir_in_the_users_repository_keeps_a_private_history(loop, inside):
    repo = user_repo(loop.root)
    data = repo / "ops" if inside else repo
    loop.env["LOOOP_DATA_DIR"] = str(data)
    before = user_state(repo)
    loop.fake("journal", "did one thing")
    for _ in range(2):
        out = loop.run("tick")
        assert out.returncode == 0, out.stdout + out.stderr
    assert user_state(repo) == before
    private = data / ".looop-git"
    log = git(data, f"--git-dir={private}", "log", "--format=%s").splitlines()
    assert log[-1] == "looop: seed the data dir" and "did one thing" in log[0]
    files = git(data, f"--git-dir={private}", "ls-files").split()
    assert "journal.md" in files and "PLAYBOOK.md" in files
    assert not {".env", "code.py", "staged.txt", ".gitignore"} & set(files)
    # the user's own `git add -A` does not pick up looop's history
    assert ".looop-git" not in git(repo, "status", "--porcelain", "--untracked-files=all")


def test_the_callers_git_variables_do_not_leak_into_looops_commits(loop):
    other = user_repo(loop.root)
    before = user_state(other)
    loop.fake("journal", "from a hook")
    hook_env = {"GIT_DIR": str(other / ".git"), "GIT_WORK_TREE": str(other),
                "GIT_INDEX_FILE": str(other / ".git" / "index")}
    out = loop.run("tick", env=hook_env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert user_state(other) == before
    assert "from a hook" in git(loop.data, "log", "-1", "--format=%s")


def test_only_the_tracked_kinds_are_committed(loop):
    loop.fake("journal")
    loop.seed()
    (loop.data / "notes.txt").write_text("mine, not the loop's\n")
    (loop.data / "goals" / "new.md").write_text("wake up\n")
    assert loop.run("tick").returncode == 0
    tracked = set(git(loop.data, "ls-files").split())
    assert "goals/new.md" in tracked and "notes.txt" not in tracked and ".gitignore" in tracked  # looop's own repository: its ignores are kept too


def test_a_broken_history_is_reported_once_per_beat_in_status_and_as_an_event(loop):
    loop.fake("grow", "g", "journal")
    loop.seed()
    (loop.data / ".git" / "HEAD").write_text("garbage\n")
    out = loop.run("tick")
    assert out.returncode == 0, out.stdout + out.stderr
    said = [ln for ln in out.stdout.splitlines() if "history was not kept" in ln]
    assert len(said) == 1 and "git" in said[0]
    assert "git_failed" in loop.event_names()
    status = json.loads(loop.run("status", "--json").stdout)
    assert status["git_failure"] and "git" in status["git_failure"]["problem"]
    assert "the last commit failed" in loop.run("status").stdout
    (loop.data / ".git" / "HEAD").write_text("ref: refs/heads/master\n")
    git(loop.data, "symbolic-ref", "HEAD", "refs/heads/" + git(loop.data, "branch", "--format=%(refname:short)").split()[0])
    assert loop.run("tick").returncode == 0
    assert json.loads(loop.run("status", "--json").stdout)["git_failure"] is None
