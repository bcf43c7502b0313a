"""runs/: keep the newest LOOOP_RUNS_KEEP decisions (by sequence, not clock), each whole."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from looop.records import runs as run_dirs
from looop.records.runs import prune_runs

stamps = st.tuples(st.integers(2020, 2030), st.integers(1, 12), st.integers(1, 28), st.integers(0, 23),
                   st.integers(0, 59), st.integers(0, 59), st.integers(1, 3), st.sampled_from(["tick", "goal-x"]))


@given(runs=st.lists(stamps, unique_by=lambda s: s[:7], max_size=25), keep=st.integers(0, 30))
def test_keeps_exactly_the_newest_of_older_names(tmp_path_factory, runs, keep):
    root = tmp_path_factory.mktemp("runs")
    names = []
    for y, mo, d, h, mi, s, n, label in runs:
        name = f"{label}-{y}{mo:02}{d:02}-{h:02}{mi:02}{s:02}" + (f"-{n}" if n > 1 else "")
        (root / name).mkdir()
        (root / name / "prompt.md").write_text("p")
        names.append(((y, mo, d, h, mi, s, n), name))
    prune_runs(root, keep)
    left = {p.name for p in root.iterdir()}
    newest = [name for _, name in sorted(names)]
    expected = set(newest) if keep == 0 else set(newest[-keep:]) if keep else set()
    assert left == expected


def test_staging_dirs_of_killed_beats_are_swept_once_stale(tmp_path):
    import os
    import time

    old = tmp_path / ".tick-abc"
    old.mkdir()
    (old / ".prompt.md.x.tmp").write_text("half")
    os.utime(old, (time.time() - 120, time.time() - 120))
    fresh = tmp_path / ".tick-def"
    fresh.mkdir()
    (tmp_path / "tick-20260101-000000").mkdir()
    prune_runs(tmp_path, 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".tick-def", "tick-20260101-000000"]


def test_after_the_clock_goes_back_the_newest_run_is_kept(loop):
    """A DST fall-back or a TZ change makes the newer run's stamp look older."""
    loop.fake("journal")
    loop.seed()
    for zone in ("UTC-12", "UTC+12"):  # the second beat's local time is a day earlier
        (loop.data / "goals" / f"{zone}.md").write_text("wake up")
        out = loop.run("tick", env={"TZ": zone, "LOOOP_RUNS_KEEP": "1"})
        assert out.returncode == 0, out.stdout + out.stderr
    (left,) = [p for p in (loop.data / "runs").iterdir() if not p.name.startswith(".")]
    assert "UTC+12.md" in (left / "prompt.md").read_text()


def test_a_run_dir_name_says_its_order(tmp_path):
    made = [run_dirs.new_run_dir(tmp_path, "tick", f"prompt {i}") for i in range(3)]
    assert sorted(made, key=run_dirs.run_order) == made
    assert made[0].name.startswith("tick-") and (made[0] / "prompt.md").read_text() == "prompt 0"


def test_a_kill_mid_prune_never_leaves_a_visible_run_without_its_prompt(tmp_path, monkeypatch):
    made = [run_dirs.new_run_dir(tmp_path, "tick", "p") for _ in range(3)]
    for d in made:
        (d / "output.log").write_text("o")

    def killed_midway(path, ignore_errors=False):
        (path / "prompt.md").unlink()  # rmtree got this far, then the process died
        raise KeyboardInterrupt

    monkeypatch.setattr(run_dirs.shutil, "rmtree", killed_midway)
    try:
        prune_runs(tmp_path, 1)
    except KeyboardInterrupt:
        pass
    for d in tmp_path.iterdir():
        assert d.name.startswith(".") or (d / "prompt.md").is_file(), f"{d.name} has no prompt"
    monkeypatch.undo()
    prune_runs(tmp_path, 1)  # the next prune finishes the interrupted one
    assert [d.name for d in tmp_path.iterdir()] == [made[-1].name]


def test_the_temp_sweep_leaves_the_users_tmp_files_alone(loop):
    import os
    import time

    loop.fake("journal")
    loop.seed()
    mine = [loop.data / ".notes.tmp", loop.data / "goals" / ".draft.md.tmp", loop.data / ".x.abcdefgh.tmp"]
    ours = loop.data / ".journal.md.looop-k2j_9x0a.tmp"
    for f in (*mine, ours):
        f.write_text("keep me")
        os.utime(f, (time.time() - 3600, time.time() - 3600))
    assert loop.run("tick").returncode == 0
    assert all(f.read_text() == "keep me" for f in mine)
    assert not ours.exists()


@given(stamps=st.lists(st.tuples(st.integers(2020, 2030), st.integers(1, 12), st.integers(1, 28),
                                 st.integers(0, 23)), min_size=1, max_size=12), keep=st.integers(1, 12))
def test_whatever_the_clock_says_the_last_made_runs_are_kept(tmp_path_factory, stamps, keep):
    from unittest import mock

    root = tmp_path_factory.mktemp("runs")
    made = []
    for y, mo, d, h in stamps:
        with mock.patch.object(run_dirs.time, "strftime", lambda fmt, *a, s=(y, mo, d, h): f"{s[0]}{s[1]:02}{s[2]:02}-{s[3]:02}0000"):
            made.append(run_dirs.new_run_dir(root, "tick", "p").name)
    prune_runs(root, keep)
    assert sorted(p.name for p in root.iterdir()) == sorted(made[-keep:])
