"""The layout of a data dir, and seeding a fresh one.

Seeding happens once, when PLAYBOOK.md is absent: a starter PLAYBOOK, the
setup and daily goals, the `today` sensor, and a first commit (with a
.gitignore when the repository is looop's own).
Nothing that exists is ever overwritten.
"""

from __future__ import annotations

import os
from importlib import resources

from looop.core.fsio import atomic_write
from looop.core.paths import Paths

SEED_FILES = {
    "PLAYBOOK.md": "PLAYBOOK.md",
    "goals/setup.md": "goals/setup.md",
    "goals/playbook-daily.md": "goals/playbook-daily.md",
    "sensors/today.sh": "sensors/today.sh",
}


def seed_text(name: str) -> bytes:
    return resources.files("looop").joinpath("seed", name).read_bytes()


def make_data_dir(paths: Paths) -> None:
    """The data dir is the owner's alone (0700) when looop creates it."""
    if not paths.data.exists():
        paths.data.mkdir(parents=True, exist_ok=True)
        os.chmod(paths.data, 0o700)


def ensure(paths: Paths) -> bool:
    """Create the layout; seed it if PLAYBOOK.md is absent. True when seeded."""
    make_data_dir(paths)
    for d in (paths.goals, paths.archive, paths.sensors, paths.snapshots, paths.runs,
              paths.prompts, paths.claims, paths.reports):
        if not d.parent.is_symlink():  # never make dirs through a link out of the data dir
            d.mkdir(parents=True, exist_ok=True)
    if paths.playbook.exists() or paths.playbook.is_symlink():
        _ensure_ignored(paths)
        return False
    for target, source in SEED_FILES.items():
        dest = paths.data / target
        if dest.exists():
            continue
        mode = 0o755 if target.endswith(".sh") else None
        atomic_write(dest, seed_text(source), mode=mode)
    if not paths.journal.exists():
        atomic_write(paths.journal, "")

    install_examples(paths)  # sensors/examples/: starters, not run until copied up a level
    from looop.records import memory

    memory.init(paths.data, seed_text("gitignore"))  # the .gitignore only where the repository is looop's
    return True


def _ensure_ignored(paths: Paths) -> None:
    """A data dir seeded by an older looop learns to ignore newer state files,
    so a `git status` there stays quiet. Only in a repository looop created:
    a user's .gitignore is never touched."""
    from looop.records import memory

    if not memory.owns_dot_git(paths.data):
        return
    gitignore = paths.data / ".gitignore"
    try:
        have = gitignore.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        have = ""
    except OSError:
        return
    present = set(have.splitlines())
    wanted = seed_text("gitignore").decode().splitlines()
    missing = [line for line in wanted if line and not line.startswith("#") and line not in present]
    if missing:
        sep = "" if not have or have.endswith("\n") else "\n"
        atomic_write(gitignore, have + sep + "".join(f"{line}\n" for line in missing))


def example_names() -> list[str]:
    folder = resources.files("looop").joinpath("seed", "sensors", "examples")
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".sh", ".md")))


def install_examples(paths: Paths) -> list[str]:
    """The starter catalog: copy the missing examples into sensors/examples/; the names copied.

    Examples are not sensors yet: a beat runs only `sensors/*.sh`, so nothing here runs until the human
    copies one up a level. A file already there is never overwritten (the human may have edited it)."""
    from looop.core.fsio import atomic_write

    make_data_dir(paths)
    target = paths.sensors / "examples"
    target.mkdir(parents=True, exist_ok=True)
    done = []
    for name in example_names():
        dest = target / name
        if dest.exists() or dest.is_symlink():
            continue
        atomic_write(dest, seed_text(f"sensors/examples/{name}"), mode=0o755 if name.endswith(".sh") else None)
        done.append(name)
    return done
