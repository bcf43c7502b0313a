"""Hostile numbers and shapes in the data dir: at most one failed beat, or
one clear line naming the file; never a traceback, never a dead pulse."""

from __future__ import annotations

import json

import pytest

from tests.moves.test_typed_beat import decide, typed


def _last_failure(loop) -> str:
    typed(loop, "decide", '{"move": "noop"}')
    assert loop.run("tick").returncode == 0
    return loop.prompt_copy.read_text().split("=== LAST FAILURE ===\n")[1].split("===")[0]


@pytest.mark.parametrize("what, body", [
    ("deep", b"[" * 100_000 + b"]" * 100_000),
    ("long number", b'{"move": "noop", "timeout_s": ' + b"9" * 5000 + b"}"),
])
def test_a_monstrous_decision_is_a_normal_failed_decision(loop, tmp_path, what, body):
    loop.seed()
    source = tmp_path / "decision.bin"
    source.write_bytes(body)
    for _ in range(2):
        typed(loop, "decide-from", str(source))
        out = loop.run("tick")
        assert out.returncode == 1, out.stdout + out.stderr
        assert "unexpected error" not in out.stdout + out.stderr
        assert ".decision.json" in out.stdout + out.stderr
    failure = _last_failure(loop)
    assert ".decision.json" in failure and "2 beats in a row" in failure


@pytest.mark.parametrize("move, words", [
    ({"move": "write_schedule", "name": "far", "every_s": 1e20}, "every"),
    ({"move": "write_schedule", "name": "far", "in_s": 1e30}, "in"),
    ({"move": "write_schedule", "name": "far", "at": "0001-01-01"}, "at"),
])
def test_an_out_of_range_schedule_move_fails_once_and_writes_nothing(loop, move, words):
    loop.seed()
    decide(loop, move)
    out = loop.run("tick")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "unexpected error" not in out.stdout + out.stderr
    assert not (loop.data / "schedules" / "far.json").exists()
    assert loop.call("status").returncode == 0
    assert "far" in _last_failure(loop)


@pytest.mark.parametrize("flag, value", [("--every", "9999999999999d"), ("--in", "99999999999999d"),
                                         ("--at", "0001-01-01"), ("--at", "9999-12-31T23:59")])
def test_an_out_of_range_schedule_verb_is_one_line_and_writes_nothing(loop, flag, value):
    loop.seed()
    out = loop.call("schedule", "write", "far", flag, value)
    assert out.returncode == 2, out.stdout + out.stderr
    assert out.stderr.count("\n") == 1 and flag in out.stderr and "nothing was lost" not in out.stderr
    assert not (loop.data / "schedules" / "far.json").exists()


def test_a_never_firing_cron_is_refused_at_write(loop):
    loop.seed()
    out = loop.call("schedule", "write", "never", "--cron", "0 0 30 2 *")
    assert out.returncode == 2 and "never" in out.stderr and out.stderr.count("\n") == 1
    assert not (loop.data / "schedules" / "never.json").exists()


@pytest.mark.parametrize("record", [
    {"v": 1, "created": "2026-01-01T00:00:00+00:00", "kind": "every", "every_s": 10 ** 20},
    {"v": 1, "created": "2026-01-01T00:00:00+00:00", "kind": "once", "at": "0001-01-01T00:00:00"},
    {"v": 1, "created": "0001-01-01T00:00:00", "kind": "every", "every_s": 60},
    {"v": 1, "created": "2026-01-01T00:00:00+00:00", "kind": "cron", "cron": "0 0 30 2 *"},
])
def test_a_hand_written_out_of_range_schedule_is_invalid_never_a_failed_beat(loop, record):
    loop.seed()
    (loop.data / "schedules").mkdir(exist_ok=True)
    (loop.data / "schedules" / "far.json").write_text(json.dumps(record))
    for args in (["status"], ["status", "--json"], ["schedule", "list"]):
        out = loop.call(*args)
        assert out.returncode == 0, (args, out.stdout + out.stderr)
    typed(loop, "decide", '{"move": "noop"}')
    out = loop.run("tick")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "far" in loop.prompt_copy.read_text().split("=== SCHEDULES (looop schedule list) ===")[1]


@pytest.mark.parametrize("name, text", [
    (".last-failure.json", '{"ts": 1e20, "run": "r", "why": "w", "exit_code": 1, "failures_in_row": 1e400}'),
    (".last-failure.json", '{"ts": "soon", "failures_in_row": "many"}'),
    (".goal-activity.json", '{"a": Infinity, "b": NaN, "c": -1e308}'),
])
def test_out_of_range_state_files_are_tolerated(loop, name, text):
    loop.seed()
    (loop.data / "goals" / "a.md").write_text("goal a\n")
    (loop.data / name).write_text(text)
    for args in (["status"], ["status", "--json"]):
        out = loop.call(*args)
        assert out.returncode == 0, (args, out.stdout + out.stderr)
    typed(loop, "decide", '{"move": "noop"}')
    out = loop.run("tick")
    assert out.returncode == 0, out.stdout + out.stderr
