"""Pruning runs/: keep the newest LOOOP_RUNS_KEEP decisions, never others."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from looop.tick import prune_runs

stamps = st.tuples(st.integers(2020, 2030), st.integers(1, 12), st.integers(1, 28), st.integers(0, 23),
                   st.integers(0, 59), st.integers(0, 59), st.integers(1, 3), st.sampled_from(["tick", "goal-x"]))


@given(runs=st.lists(stamps, unique_by=lambda s: s[:7], max_size=25), keep=st.integers(0, 30))
def test_keeps_exactly_the_newest(tmp_path_factory, runs, keep):
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
