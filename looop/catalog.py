"""The starter catalog: `sensors/examples/`, copied into a data dir by `init` (and at seeding).

Examples are not sensors yet: a beat runs only `sensors/*.sh`, so nothing
here runs until the human copies one up a level. A file already there is
never overwritten (the human may have edited it).
"""

from __future__ import annotations

from importlib import resources

from looop.paths import Paths


def names() -> list[str]:
    folder = resources.files("looop").joinpath("seed", "sensors", "examples")
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".sh", ".md")))


def install(paths: Paths) -> list[str]:
    """Copy the missing examples into sensors/examples/; the names copied."""
    from looop.fsio import atomic_write
    from looop.seed import make_data_dir, seed_text

    make_data_dir(paths)
    target = paths.sensors / "examples"
    target.mkdir(parents=True, exist_ok=True)
    done = []
    for name in names():
        dest = target / name
        if dest.exists() or dest.is_symlink():
            continue
        atomic_write(dest, seed_text(f"sensors/examples/{name}"), mode=0o755 if name.endswith(".sh") else None)
        done.append(name)
    return done
