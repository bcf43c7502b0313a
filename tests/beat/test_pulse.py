"""Cadence: clamps, the one-shot .next-interval, and backoff."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from looop.beat import pulse
from looop.core.paths import Paths

CAD = {"interval": 60, "busy_interval": 10, "active_interval": 30}


@given(st.integers(-10**9, 10**9))
def test_clamp_stays_in_range(n):
    c = pulse.clamp(n)
    assert 5 <= c <= 3600
    assert c == n or n < 5 or n > 3600


class _Clock:
    """The pulse's clock, where a sleep passes at once and moves time on."""

    def __init__(self) -> None:
        import time

        self._real, self.now = time, time.time()

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def __getattr__(self, name: str):
        return getattr(self._real, name)


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


# -- one bad beat never ends the pulse ------------------------------------------

def test_an_unexpected_error_fails_only_that_beat(tmp_path, monkeypatch, capsys):
    import json

    import looop.beat as pipeline
    from looop.setup import config, preflight

    paths = _paths(tmp_path / "data")
    paths.data.mkdir()
    paths.config.write_text(json.dumps({"default": "x", "runners": {"x": {"tick": "true"}}}))
    calls = []

    def beat(_paths, **kw):
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("a reading nobody foresaw")
        raise pulse.Stop("SIGTERM")

    monkeypatch.setattr(pipeline, "beat", beat)
    monkeypatch.setattr(pipeline, "reap_orphan_runner", lambda p: None)
    monkeypatch.setattr(preflight, "check_runner", lambda *a, **kw: None)
    monkeypatch.setattr(pulse, "time", _Clock())  # the backoff's sleep passes at once
    monkeypatch.setattr(config, "cadence", lambda data: CAD)
    assert pulse.run(paths) == 0
    assert len(calls) == 2, "the pulse went on to the next beat"
    out = capsys.readouterr().out
    [line] = [ln for ln in out.splitlines() if "beat failed" in ln]
    assert "unexpected error: ValueError: a reading nobody foresaw" in line and str(paths.crash_log) in line
    assert "backing off after 1 failed beat" in out and "Traceback" not in out
    crash = paths.crash_log.read_text()
    assert "Traceback" in crash and "ValueError" in crash and "looop " in crash and "Python " in crash
    events = [json.loads(x) for x in paths.events.read_text().splitlines()]
    assert any(e["event"] == "beat_failed" and e["crashed"] for e in events)


def test_crash_log_stays_bounded(tmp_path):
    from looop.core.error_handler import CRASH_LOG_BYTES, record_crash

    log = tmp_path / "crash.log"
    for n in range(400):
        try:
            raise RuntimeError(f"crash number {n} " + "x" * 2000)
        except RuntimeError as exc:
            record_crash(log, exc, "beat")
    text = log.read_text()
    assert len(text.encode()) <= CRASH_LOG_BYTES
    assert "crash number 399" in text and text.startswith("=== ")


def test_a_verb_that_crashes_exits_3_with_one_line(tmp_path, monkeypatch, capsys):
    from looop import cli
    from looop.commands import tick as tick_verb

    monkeypatch.setenv("LOOOP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LOOOP_CONFIG", str(tmp_path / "c.json"))

    def boom(*args, **kw):
        raise KeyError("surprise")

    monkeypatch.setattr(tick_verb, "tick", boom)
    assert cli.main(["tick"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unexpected error: KeyError" in err and "crash.log" in err
    assert "KeyError" in (tmp_path / "data" / "crash.log").read_text()


def test_a_fifo_next_interval_never_blocks(tmp_path):
    import os

    paths = _paths(tmp_path)
    os.mkfifo(paths.next_interval)
    assert pulse.take_next_interval(paths) is None
    assert not paths.next_interval.exists()
