"""Fairness: the prompt names the goal acted on least recently, never-acted
goals first, from stamps a decided beat leaves when it touches a goal or
starts its worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from looop.beat import fairness
from looop.core.paths import Paths
from looop.fleet import Worker


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    p = Paths(data=tmp_path / "data", config=tmp_path / "looop.json", is_default_profile=False)
    p.goals.mkdir(parents=True)
    return p


def _goal(paths: Paths, name: str, text: str = "x") -> None:
    (paths.goals / f"{name}.md").write_text(text)


def test_never_acted_goals_come_first_then_the_oldest(paths):
    for g in ("alpha", "beta", "gamma"):
        _goal(paths, g)
    fairness.stamp(paths, "alpha", when=100.0)
    fairness.stamp(paths, "gamma", when=50.0)
    text = fairness.section(paths, fairness.goal_ids(paths.goals), now=3700.0)
    assert text.splitlines()[0].startswith("Least recently acted on: beta (never acted on)")
    assert [ln.split(":")[0] for ln in text.splitlines()[1:]] == ["- beta", "- gamma", "- alpha"]
    fairness.stamp(paths, "beta", when=200.0)
    assert fairness.order(paths, ["alpha", "beta", "gamma"])[0][0] == "gamma"


def test_a_move_touches_the_goals_it_wrote_and_the_goal_of_the_worker_it_started(paths):
    for g in ("fix-ci", "playbook-daily", "quiet"):
        _goal(paths, g)
    before = fairness.observe(paths, [Worker(id="looop-old", state="running")])
    _goal(paths, "fix-ci", "changed")
    (paths.goals / "quiet.md").unlink()  # archived
    after = [Worker(id="looop-old", state="running"), Worker(id="looop-playbook-daily-2026-01-05", state="running")]
    assert fairness.touched(paths, before, after) == ["fix-ci", "playbook-daily", "quiet"]


def test_a_dated_worker_id_belongs_to_the_goal_it_names():
    goals = ["playbook-daily", "fix-ci", "fix-ci-docs"]
    assert fairness.goal_of_worker("looop-playbook-2026-01-05", goals) == "playbook-daily"
    assert fairness.goal_of_worker("looop-fix-ci-docs-2026-01-05", goals) == "fix-ci-docs"
    assert fairness.goal_of_worker("looop-fix-2026-01-05", goals) is None  # two goals fit: none is guessed
    assert fairness.goal_of_worker("looop-other", goals) is None


def test_an_unreadable_activity_file_means_never_acted(paths):
    _goal(paths, "a")
    paths.goal_activity.write_text("[not, an object")
    assert fairness.order(paths, ["a"]) == [("a", None)]
    fairness.stamp(paths, "a", when=5.0)
    assert fairness.order(paths, ["a"]) == [("a", 5.0)]


def test_the_prompt_names_the_goal_the_last_move_did_not_touch(loop):
    loop.fake("goal", "setup", "done with setup", "journal")
    assert loop.run("tick").returncode == 0
    text = loop.prompt_copy.read_text()
    assert "=== FAIRNESS ===" in text  # first beat: every goal is never-acted
    loop.fake("goal", "extra", "new goal", "journal")
    assert loop.run("tick").returncode == 0  # the goal changed: a new beat decides
    section = loop.prompt_copy.read_text().split("=== FAIRNESS ===")[1].split("===")[0]
    assert "Least recently acted on: playbook-daily (never acted on)" in section
    assert "- setup: last acted on 0m ago" in section
