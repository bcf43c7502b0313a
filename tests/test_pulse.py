"""Cadence: clamps, the one-shot .next-interval, and backoff."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from looop import pulse
from looop.paths import Paths

CAD = {"interval": 60, "busy_interval": 10, "active_interval": 30}


@given(st.integers(-10**9, 10**9))
def test_clamp_stays_in_range(n):
    c = pulse.clamp(n)
    assert 5 <= c <= 3600
    assert c == n or n < 5 or n > 3600


def _paths(tmp) -> Paths:
    return Paths(data=tmp, config=tmp / "c.json", is_default_profile=False)


@given(raw=st.text(max_size=12))
def test_next_interval_is_digits_only_and_one_shot(tmp_path_factory, raw):
    paths = _paths(tmp_path_factory.mktemp("p"))
    paths.next_interval.write_text(raw)
    got = pulse.take_next_interval(paths)
    stripped = raw.strip()
    if stripped.isdigit() and stripped.isascii():
        assert got == pulse.clamp(int(stripped))
    else:
        assert got is None
    assert not paths.next_interval.exists()
    assert pulse.take_next_interval(paths) is None


def test_choice_of_wait():
    assert pulse.next_wait(CAD, acted=True, workers_alive=True, requested=None, failures=0) == 10
    assert pulse.next_wait(CAD, acted=False, workers_alive=True, requested=None, failures=0) == 30
    assert pulse.next_wait(CAD, acted=False, workers_alive=False, requested=None, failures=0) == 60
    assert pulse.next_wait(CAD, acted=True, workers_alive=False, requested=7, failures=0) == 7


@given(base=st.integers(0, 4000), failures=st.integers(1, 10**6))
def test_backoff_grows_and_is_capped(base, failures):
    wait = pulse.backoff(base, failures)
    assert 5 <= wait <= 300
    assert wait >= pulse.backoff(base, max(1, failures - 1))
