"""NEEDS YOU in a long-running pulse: shown when it changes, or again after an hour."""

from __future__ import annotations

from looop.beat import surface


def test_needs_you_repeats_only_when_it_changes_or_an_hour_passed(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("time.monotonic", lambda: clock[0])
    monkeypatch.setattr(surface, "_shown", {})
    assert surface._news("d", ["attention: renew the token"])
    clock[0] += 60
    assert not surface._news("d", ["attention: renew the token"])  # the next beat: same block, not again
    assert surface._news("d", ["attention: renew the token", "⚑ fix-ci: which branch?"])  # changed
    clock[0] += surface.REPEAT_EVERY - 1
    assert not surface._news("d", ["attention: renew the token", "⚑ fix-ci: which branch?"])
    clock[0] += 2
    assert surface._news("d", ["attention: renew the token", "⚑ fix-ci: which branch?"])  # an hour on
    assert surface._news("other profile", ["attention: renew the token"])
