"""The beat as a pipeline: how each beat ended, as the pulse and the verbs see it,
and a gate added to the table ends a beat like the built-in ones do."""

from __future__ import annotations

import pytest

from looop.beat import Outcome, Result, beat, gates


@pytest.fixture
def here(loop, monkeypatch):
    """Beats of `loop`'s profile run in this process, as the pulse runs them; the
    box this process resolves is this profile's alone, and forgotten after."""
    from looop import box

    for key, value in loop.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(box, "_RESOLVED", {})
    monkeypatch.chdir(loop.root)
    from looop.core.paths import resolve

    return resolve()


def test_a_beat_says_how_it_ended(loop, here):
    loop.fake("journal")
    decided = beat(here, quiet=True)
    assert decided.result is Result.DECIDED and decided.exit_code == 0 and decided.prompt.is_file()
    unchanged = beat(here, quiet=True)
    assert unchanged.result is Result.UNCHANGED and unchanged.summary.startswith("world unchanged")
    dry = beat(here, dry_run=True)
    assert dry.result is Result.DRY_RUN and dry.prompt.is_file()
    assert loop.calls() == 1


def test_a_failed_move_ends_as_failed_and_the_next_beat_retries(loop, here):
    loop.fake("fail")
    assert beat(here, quiet=True).result is Result.FAILED
    assert beat(here, quiet=True).result is Result.FAILED  # the hash stayed unsaved
    assert loop.calls() == 2


def test_a_paused_loop_senses_and_decides_nothing(loop, here):
    loop.fake("journal")
    assert loop.call("pause").returncode == 0
    assert beat(here, quiet=True).result is Result.PAUSED
    assert loop.calls() == 0


def test_a_gate_added_to_the_table_ends_the_beat_and_the_world_is_decided_later(loop, here, monkeypatch):
    loop.fake("journal")
    held = Outcome(Result.HELD)
    with monkeypatch.context() as m:
        m.setattr(gates, "GATES", (*gates.GATES, lambda b: held))
        assert beat(here, quiet=True) is held
    assert loop.calls() == 0 and not here.last_hash.exists()
    assert beat(here, quiet=True).result is Result.DECIDED
    assert loop.calls() == 1
