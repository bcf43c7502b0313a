"""Memory is really git: the loop's policy files have a history.

Only the tracked kinds (PLAYBOOK, goals, sensors, journal, schedules) are
committed, by explicit path, with a clean git environment and no hooks. The
repository is looop's alone: when the data dir lies in a repository looop did
not create, looop keeps its history in a private `.looop-git/` and never
touches the user's index, .gitignore or branches. Off with `"git": false`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from looop.core.cmd import Result
    from looop.core.paths import Paths

TRACKED = ("PLAYBOOK.md", "goals", "sensors", "journal.md", "schedules")
PRIVATE = ".looop-git"
OWNED = "looop-owned"  # a marker file in the git dir of a repository looop created
_SEED_MESSAGE = "looop: seed the data dir"
_IDENTITY = ("-c", "user.name=looop", "-c", "user.email=looop@localhost")
_SAFE = ("-c", "core.hooksPath=/dev/null", "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false")


class Committed(NamedTuple):
    done: bool  # a commit was made
    problem: str = ""  # why it failed ("" when it did not)


def available() -> bool:
    import shutil

    return shutil.which("git") is not None


def git_dir(data: Path) -> Path | None:
    """Where looop's history lives: its own `.git`, the private dir, or None yet."""
    private = data / PRIVATE
    if private.is_dir():
        return private
    own = data / ".git"
    if (own / OWNED).is_file():
        return own
    if own.is_dir() and _seeded_by_looop(data, own):
        (own / OWNED).write_text("this repository was created by looop\n")
        return own
    return None


def owns_dot_git(data: Path) -> bool:
    """`data/.git` is looop's (cheap: one stat; the beat asks every time)."""
    return (data / ".git" / OWNED).is_file()


def _git(data: Path, gdir: Path, *args: str, timeout: float = 60) -> Result:
    from looop.core import cmd

    return cmd.run(["git", f"--git-dir={gdir}", f"--work-tree={data}", *_SAFE, *args], cwd=data, timeout=timeout)


def _seeded_by_looop(data: Path, gdir: Path) -> bool:
    """A repository from before the marker: its first commit is looop's seed."""
    roots = _git(data, gdir, "rev-list", "--max-parents=0", "--format=%s", "HEAD")
    return roots.ok and _SEED_MESSAGE in roots.out.splitlines()


def broken_dot_git(data: Path) -> str:
    """Why `data/.git` is there but is no repository git can use ("" when it is
    fine or absent): a new history is then never started beside it."""
    import os

    dot = data / ".git"
    if not os.path.lexists(dot) or dot.is_dir() and not dot.is_symlink():
        return ""
    from looop.core import cmd

    found = cmd.run(["git", "rev-parse", "--git-dir"], cwd=data)
    if found.ok:
        return ""
    return f"{dot} is not a git repository git can open (a .git file pointing nowhere?); fix or remove it"


def _inside_other_repo(data: Path) -> bool:
    from looop.core import cmd

    found = cmd.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=data)
    return found.ok and found.out.strip() == "true"


def init(data: Path, gitignore: bytes = b"") -> Committed:
    """Give the data dir a history and a first commit: its own `.git` (with
    `gitignore`), or a private one when the data dir lies in another repository."""
    if not available() or git_dir(data) is not None:
        return Committed(False)
    broken = broken_dot_git(data)
    if broken:
        return Committed(False, broken)
    if _make_git_dir(data, gitignore) is None:
        return Committed(False, f"git init in {data} failed")
    return commit(data, _SEED_MESSAGE)


def _make_git_dir(data: Path, gitignore: bytes) -> Path | None:
    from looop.core import cmd

    if (data / ".git").exists() or _inside_other_repo(data):
        gdir = data / PRIVATE
        if not cmd.run(["git", "init", "-q", "--bare", str(gdir)], cwd=data).ok:
            return None
        # The user's repository must not pick up looop's objects: ignore the whole private dir.
        (gdir / ".gitignore").write_text("*\n")
        _git(data, gdir, "config", "core.bare", "false")
        return gdir
    gdir = data / ".git"
    if not cmd.run(["git", "init", "-q", str(data)], cwd=data).ok:
        return None
    (gdir / OWNED).write_text("this repository was created by looop\n")
    if gitignore and not (data / ".gitignore").exists():
        from looop.core.fsio import atomic_write

        atomic_write(data / ".gitignore", gitignore)
    return gdir


def commit(data: Path, message: str) -> Committed:
    """Commit what changed among the tracked kinds; done=False when nothing did."""
    if not available():
        return Committed(False)
    gdir = git_dir(data)
    if gdir is None:
        broken = broken_dot_git(data)
        if broken:
            return Committed(False, broken)
        gdir = _make_git_dir(data, b"")
    if gdir is None:
        return Committed(False, f"git init in {data} failed")
    tracked = TRACKED + ((".gitignore",) if gdir == data / ".git" else ())  # looop's own repository: its ignores too
    listed = _git(data, gdir, "ls-files", "-z", "--", *tracked)
    if not listed.ok:
        return Committed(False, _why("git ls-files", listed))
    known = {p.split("/", 1)[0] for p in listed.out.split("\0") if p}
    paths = [p for p in tracked if (data / p).exists() or p in known]
    if not paths:
        return Committed(False)
    # -f: another repository's .gitignore may not hide looop's own files; temp files never go in
    added = _git(data, gdir, "add", "-A", "-f", "--", *paths, ":(exclude,glob)**/.*.tmp")
    if not added.ok:
        return Committed(False, _why("git add", added))
    if _git(data, gdir, "diff", "--cached", "--quiet", "--", *paths).code == 0:
        return Committed(False)
    who = () if _git(data, gdir, "config", "user.email").out.strip() else _IDENTITY
    done = _git(data, gdir, *who, "commit", "-q", "--no-verify", "-m", message or "looop: beat", "--", *paths)
    return Committed(True) if done.ok else Committed(False, _why("git commit", done))


def _why(what: str, result: Result) -> str:
    lines = [ln.strip() for ln in (result.err or result.out).splitlines() if ln.strip()]
    return f"{what} failed (exit {result.code}): {lines[-1] if lines else 'no message'}"


def commit_human(paths: "Paths", line: str) -> None:
    """A human verb's change, committed now under its own journal line (never
    swept into the next beat's commit); a failure is one warning, never fatal."""
    from looop.core.fsio import read_json_object
    from looop.core.log import warn

    try:  # the config's `git` switch, read as config.load reads it; a bad config is the beat's to report
        data = read_json_object(paths.config)
        if isinstance(data, dict) and not bool(data.get("git", True)):
            return
    except Exception:  # noqa: BLE001 - keep the history anyway
        pass
    done = commit(paths.data, line.lstrip("- ").strip() or "looop: a human verb")
    if done.problem:
        warn(f"the change stands, but its history was not kept: {done.problem}")
