"""Data loss made impossible: earlier config backups and archived goals are
never replaced."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest


def test_init_force_keeps_every_earlier_backup_numbered(loop):
    loop.config.write_text(json.dumps({"default": "mine", "runners": {"mine": {"tick": "my-own-cli"}}}))
    original = loop.config.read_text()
    for _ in range(3):
        out = loop.call("init", "--force", "--runner", "claude")
        assert out.returncode == 0, out.stdout + out.stderr
    backups = sorted(p.name for p in loop.root.glob("looop.json*.bak"))
    assert backups == ["looop.json.2.bak", "looop.json.3.bak", "looop.json.bak"], backups
    assert (loop.root / "looop.json.bak").read_text() == original, "the user's own config is still there"


def test_archiving_an_id_archived_before_keeps_both(loop):
    loop.fake("journal")
    loop.seed()
    for text in ("first life\n", "second life\n"):
        assert loop.call("goal", "write", "g", text.strip()).returncode == 0
        out = loop.call("goal", "archive", "g")
        assert out.returncode == 0, out.stdout + out.stderr
    kept = sorted(p.read_text() for p in (loop.data / "goals" / "archive").glob("g*.md"))
    assert kept == ["first life\n", "second life\n"]


def test_a_dot_git_file_pointing_nowhere_starts_no_new_history(loop):
    loop.fake("journal")
    loop.data.mkdir(parents=True)
    (loop.data / ".git").write_text("gitdir: /nowhere/at/all\n")
    out = loop.run("tick")
    assert "unexpected error" not in out.stdout + out.stderr
    assert not (loop.data / ".looop-git").exists(), "a new history was started beside the broken .git"
    assert out.returncode == 1 and ".git" in out.stderr, "a failed beat, naming the .git"
    assert not any("fake move" in line for line in loop.journal()), "no move was made that git could not keep"
    status = loop.call("status")
    assert str(loop.data / ".git") in status.stdout + status.stderr
    doctor = loop.call("doctor")
    assert doctor.returncode != 0 and str(loop.data / ".git") in doctor.stdout + doctor.stderr


@pytest.mark.parametrize("linked, args", [
    ("goals", ["goal", "write", "g", "a goal"]),
    ("goals/archive", ["goal", "archive", "g"]),
    ("sensors", ["sensor", "write", "s", "echo '{}'"]),
])
def test_a_symlinked_dir_never_lets_a_move_write_outside_the_data_dir(loop, tmp_path, linked, args):
    loop.fake("journal")
    loop.seed()
    assert loop.call("goal", "write", "g", "first").returncode == 0
    outside = tmp_path / "outside"
    outside.mkdir()
    real = loop.data / linked
    if real.exists():
        shutil.rmtree(real) if linked != "goals" else None
    if linked == "goals":
        (outside / "g.md").write_text("first\n")
        shutil.rmtree(real)
    real.symlink_to(outside)
    before = sorted(p.name for p in outside.iterdir())
    out = loop.call(*args)
    assert out.returncode == 1 and "symlink" in out.stderr and out.stderr.count("\n") == 1, out.stdout + out.stderr
    assert sorted(p.name for p in outside.iterdir()) == before, "nothing was written outside"
    git = subprocess.run(["git", "status", "--porcelain"], cwd=loop.data, capture_output=True, text=True)
    assert git.returncode == 0, "the index is not broken"
