"""A boxed agent-mode decider that makes no move still journals its beat, as unboxed (§19)."""

from __future__ import annotations

from tests.box.kit import needs_bwrap


@needs_bwrap
def test_a_boxed_noop_beat_journals_like_an_unboxed_one(loop):
    loop.fake("journal", "looked around, nothing to do", sandbox="bwrap")
    loop.seed()
    beat = loop.run("tick")
    assert beat.returncode == 0, beat.stdout + beat.stderr
    last = loop.journal()[-1]
    assert "looked around, nothing to do" in last
    assert "no journal line" not in beat.stdout + beat.stderr
