"""The single-file executable (dist/looop, a zipapp made by shiv).

Copied alone into an empty directory, with a fresh HOME and a python3 that
has none of looop's dependencies, it must still run every kind of verb,
unpack itself into that HOME once, not on every start, start from the
bytecode compiled when it unpacked (no compiling later, also where nothing
may be written), and come out the same from the same sources.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from looop import __version__
from tests.helpers import ROOT
from tests.shipping import BUILD_TIMEOUT, Wheelhouse, assert_beats, bare_python_path, fake_config, minimal_env, run


def alone(zipapp: Path, tmp_path: Path) -> tuple[Path, Path]:
    bare = tmp_path / "bare"
    bare.mkdir()
    copy = bare / "looop"
    shutil.copy2(zipapp, copy)
    home = tmp_path / "home"
    home.mkdir()
    return copy, home


def test_the_file_is_a_python3_zipapp(zipapp: Path):
    head = zipapp.read_bytes()[:64]
    assert head.startswith(b"#!/usr/bin/env python3\n")
    assert zipapp.stat().st_mode & 0o111
    checksum = zipapp.with_name("looop.sha256").read_text().split()
    assert checksum[1] == "looop" and len(checksum[0]) == 64


def test_alone_in_an_empty_dir_it_runs_every_kind_of_verb(zipapp: Path, tmp_path: Path):
    looop, home = alone(zipapp, tmp_path)
    env = minimal_env(home, PATH=bare_python_path(tmp_path))
    manual = run([str(looop), "help"], env, looop.parent)
    assert manual.returncode == 0, manual.stderr
    assert "tick" in manual.stdout and str(home / ".local" / "state" / "looop") in manual.stdout
    assert_beats([str(looop)], home)
    assert sorted(p.name for p in looop.parent.iterdir()) == ["looop"]
    # the fleet viewer's emulator travels in the file too: a screenshot of a recorded session
    session = home / ".local" / "state" / "looop" / "fleet" / "sessions" / "looop-rec"
    session.mkdir(parents=True)
    shutil.copyfile(ROOT / "fixtures" / "logs" / "progress.log", session / "output.log")
    (session / "meta.json").write_text('{"cols": 80, "rows": 24}')
    (session / "status.json").write_text('{"state": "exited", "exit_code": 0}')
    shot = run([str(looop), "screenshot", "rec"], env, home)
    assert shot.returncode == 0, shot.stderr
    assert shot.stdout == (ROOT / "fixtures" / "logs" / "progress.screen.txt").read_text()


def test_it_unpacks_once_into_the_fresh_home(zipapp: Path, tmp_path: Path):
    looop, home = alone(zipapp, tmp_path)
    env = minimal_env(home, PATH=bare_python_path(tmp_path))
    first = run([str(looop), "version"], env, home)
    assert first.stdout.strip() == f"looop {__version__}", first.stderr
    (unpacked,) = [p for p in (home / ".shiv").iterdir() if p.is_dir()]
    stamp = {p: p.stat().st_mtime_ns for p in unpacked.rglob("*")}
    again = run([str(looop), "version"], env, home)
    assert again.stdout.strip() == f"looop {__version__}"
    assert [p for p in (home / ".shiv").iterdir() if p.is_dir()] == [unpacked]
    assert {p: p.stat().st_mtime_ns for p in unpacked.rglob("*") if p in stamp} == stamp


def this_python_path(scratch: Path) -> str:
    """A PATH whose python3 is the interpreter that built the file (so its bytecode fits)."""
    bin_dir = scratch / "this-python"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "python3").symlink_to(getattr(sys, "_base_executable", sys.executable))
    return f"{bin_dir}:/usr/bin:/bin"


def test_it_starts_from_the_bytecode_compiled_when_it_unpacked(zipapp: Path, tmp_path: Path):
    looop, home = alone(zipapp, tmp_path)
    env = minimal_env(home, PATH=this_python_path(tmp_path), LOOOP_CONFIG=str(fake_config(home / "c.json", "journal")))
    assert run([str(looop), "version"], env, home).returncode == 0  # unpacks
    (unpacked,) = [p for p in (home / ".shiv").iterdir() if p.is_dir()]
    shipped = {p for p in unpacked.rglob("*.pyc")}
    sources = list((unpacked / "site-packages" / "looop").rglob("*.py"))
    tag = sys.implementation.cache_tag
    assert all(p.parent / "__pycache__" / f"{p.stem}.{tag}.pyc" in shipped for p in sources)
    for verb in ("version", "help", "status", "tick", "tick"):
        done = run([str(looop), verb], env, home)
        assert done.returncode == 0, done.stdout + done.stderr
    assert {p for p in unpacked.rglob("*.pyc")} == shipped, "it compiled something at run time"
    # a later start neither unpacks nor compiles: it imports neither, nor shiv's bootstrap
    def imports(*argv: str) -> set[str]:
        done = run(["python3", "-X", "importtime", *argv], env, home)
        return {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}

    added = imports(str(looop), "version") - imports("-c", "pass")  # what this Python's own start imports aside
    assert "looop.cli" in added and not added & {"zipfile", "compileall", "_bootstrap"}


def test_two_first_starts_at_once_both_run(zipapp: Path, tmp_path: Path):
    looop, home = alone(zipapp, tmp_path)
    env = minimal_env(home, PATH=bare_python_path(tmp_path))
    procs = [subprocess.Popen([str(looop), "version"], env=env, cwd=home, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert out.strip() == f"looop {__version__}", err
    # one copy, no half-unpacked leftovers (only shiv's lock file beside it)
    copies = [p.name for p in (home / ".shiv").iterdir() if not p.name.endswith("_lock")]
    assert len(copies) == 1 and copies[0].startswith("looop_")


def other_pythons() -> dict[str, str]:
    """Newer CPythons on this machine than the one building: version -> path."""
    import glob
    import shutil as sh

    found: dict[str, str] = {}
    for minor in range(sys.version_info.minor + 1, 15):
        version = f"3.{minor}"
        candidates = [*sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python{version}"))),
                      sh.which(f"python{version}")]
        for path in filter(None, candidates):
            if "/shims/" in path:  # a pyenv shim that may not run this version
                continue
            found[version] = path
            break
    return found


@pytest.mark.skipif(not other_pythons(), reason="no newer CPython on this machine to run the zipapp with")
def test_one_file_runs_on_each_python_it_was_built_for(tmp_path: Path, wheelhouse: Wheelhouse):
    pythons = other_pythons()
    out = tmp_path / "dist" / "looop"
    # fetches the newer Pythons' builds of the compiled dependencies (from pip's cache once seen)
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build-shiv"), "--out", str(out), "--work", str(tmp_path / "work"),
         "--no-build-isolation", "--python-versions", ",".join(pythons), "--", "--find-links", str(wheelhouse.dir)],
        capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    for version, python in pythons.items():
        home = tmp_path / f"home-{version}"
        home.mkdir()
        env = minimal_env(home, PATH=f"{Path(python).parent}:/usr/bin:/bin")
        demo = run([python, str(out), "demo"], env, home)  # validates readings: needs the compiled rpds
        assert demo.returncode == 0, f"python {version}: {demo.stdout}{demo.stderr}"


def test_without_pip_and_shiv_the_build_says_how_to_get_them(tmp_path: Path):
    # -S: a Python without site-packages, so without pip and shiv
    done = subprocess.run([sys.executable, "-S", str(ROOT / "scripts" / "build-shiv"), "--out",
                           str(tmp_path / "looop")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "pip is not installed" in done.stderr and "-m ensurepip" in done.stderr
    assert "-m pip install shiv" in done.stderr
    assert not (tmp_path / "looop").exists()


def test_the_same_sources_make_the_same_file(zipapp: Path, tmp_path: Path, wheelhouse: Wheelhouse):
    again = tmp_path / "elsewhere" / "looop"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build-shiv"), "--out", str(again), "--work", str(tmp_path / "work"),
         "--no-build-isolation", "--", *wheelhouse.pip_args()],
        capture_output=True, text=True, timeout=BUILD_TIMEOUT, env={**os.environ, "PIP_NO_INPUT": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    same = again.read_bytes() == zipapp.read_bytes()  # not compared in the assert: pytest's diff of megabytes hangs
    assert same, f"two builds of the same sources differ: {again} and {zipapp}"
    assert again.with_name("looop.sha256").read_text() == zipapp.with_name("looop.sha256").read_text()
