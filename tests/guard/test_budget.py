"""Spend caps: decisions per hour and dollars per day hold the loop back, then let go."""

from __future__ import annotations

import json
import time

import pytest

from looop.core import schemas
from looop.core.errors import FatalError
from looop.records import budget
from looop.records.events import utc_now

NOW = 1_800_000_000.0


def stamp(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(epoch))


def write_events(path, *ages: float, noise: int = 3) -> None:
    lines = []
    for age in sorted(ages, reverse=True):
        for _ in range(noise):
            lines.append(json.dumps({"ts": stamp(NOW - age - 1), "event": "world_unchanged"}))
        lines.append(json.dumps({"ts": stamp(NOW - age), "event": "decide_start", "run": "r"}))
    path.write_text("\n".join(lines) + "\n")


def test_decides_are_counted_over_the_last_hour_only(tmp_path):
    events = tmp_path / "events.jsonl"
    write_events(events, 7200, 3700, 3500, 60, 5)
    state = budget.check(events, tmp_path / "cost.jsonl", {"max_decides_per_hour": 10}, now=NOW, env={})
    assert state.decides_last_hour == 3 and not state.exhausted


def test_the_hourly_cap_holds_until_the_oldest_decide_leaves_the_window(tmp_path):
    events = tmp_path / "events.jsonl"
    write_events(events, 3500, 60, 5)
    state = budget.check(events, tmp_path / "cost.jsonl", {"max_decides_per_hour": 3}, now=NOW, env={})
    assert state.exhausted and "3 decisions in the last hour" in state.reason
    assert state.resumes_at == pytest.approx(NOW + 100)
    later = budget.check(events, tmp_path / "cost.jsonl", {"max_decides_per_hour": 3}, now=NOW + 101, env={})
    assert not later.exhausted


def test_zero_means_no_hourly_cap_and_env_beats_config(tmp_path):
    events = tmp_path / "events.jsonl"
    write_events(events, *range(1, 200))
    assert not budget.check(events, tmp_path / "c", {"max_decides_per_hour": 0}, now=NOW, env={}).exhausted
    env = {"LOOOP_MAX_DECIDES_PER_HOUR": "500"}
    assert not budget.check(events, tmp_path / "c", {"max_decides_per_hour": 5}, now=NOW, env=env).exhausted
    assert budget.check(events, tmp_path / "c", None, now=NOW, env={}).exhausted  # default 120


def test_the_daily_budget_counts_the_local_day(tmp_path):
    ledger = tmp_path / "cost.jsonl"
    from looop.records.cost import local_midnight

    midnight = local_midnight(NOW)
    ledger.write_text("".join(json.dumps({"ts": stamp(t), "kind": "tick", "id": "x", "runner": "pi", "cost_usd": 0.5})
                              + "\n" for t in (midnight - 60, midnight + 60, NOW - 1)))
    state = budget.check(tmp_path / "events.jsonl", ledger, {"daily_budget_usd": 1}, now=NOW, env={})
    assert state.exhausted and state.spend_today_usd == pytest.approx(1.0)
    assert state.resumes_at == pytest.approx(local_midnight(NOW + 86400), abs=3600)
    assert not budget.check(tmp_path / "e", ledger, {"daily_budget_usd": 1.5}, now=NOW, env={}).exhausted


@pytest.mark.parametrize("env", [{"LOOOP_MAX_DECIDES_PER_HOUR": "many"}, {"LOOOP_DAILY_BUDGET_USD": "-3"}])
def test_a_bad_knob_is_one_clear_line(tmp_path, env):
    with pytest.raises(FatalError) as err:
        budget.check(tmp_path / "e", tmp_path / "c", None, now=NOW, env=env)
    assert err.value.code == 2 and list(env)[0] in str(err.value)


def backdate(path, seconds: float) -> None:
    """Move every line of a JSONL file `seconds` into the past (the clock 'advances')."""
    from looop.records.cost import parse_ts

    out = []
    for line in path.read_text().splitlines():
        obj = json.loads(line)
        obj["ts"] = stamp(parse_ts(obj["ts"]) - seconds)
        out.append(json.dumps(obj))
    path.write_text("\n".join(out) + "\n")


def test_the_hourly_cap_skips_the_runner_shows_why_and_resumes(loop):
    loop.fake("grow", "g", "journal")
    loop.env["LOOOP_MAX_DECIDES_PER_HOUR"] = "2"
    for _ in range(2):
        assert loop.run("tick").returncode == 0
    held = loop.run("tick")
    assert held.returncode == 0, held.stderr
    assert loop.calls() == 2
    assert "budget reached" in held.stdout and "max_decides_per_hour is 2" in held.stdout
    assert "NEEDS YOU" in held.stdout
    event = [e for e in loop.events() if e["event"] == "budget_exhausted"][-1]
    assert "max_decides_per_hour" in event["reason"] and event["resumes_at"]
    snap = json.loads(loop.call("status", "--json").stdout)
    assert schemas.problems("status", snap) == []
    assert snap["budget"]["exhausted"] and snap["budget"]["decides_last_hour"] == 2
    assert "BUDGET REACHED" in loop.call("status").stdout

    backdate(loop.data / "events.jsonl", 3601)  # an hour passes
    resumed = loop.run("tick")
    assert resumed.returncode == 0 and loop.calls() == 3
    assert "NEEDS YOU" not in resumed.stdout
    assert not json.loads(loop.call("status", "--json").stdout)["budget"]["exhausted"]


def test_the_daily_budget_skips_the_runner_until_tomorrow(loop):
    loop.fake("grow", "g", "cost", "0.02", "journal", daily_budget_usd=0.01)
    assert loop.run("tick").returncode == 0
    held = loop.run("tick")
    assert loop.calls() == 1 and "daily_budget_usd is $0.01" in held.stdout
    assert json.loads(loop.call("status", "--json").stdout)["budget"]["exhausted"]
    backdate(loop.data / "cost.jsonl", 86400 + 3600)  # the spend was yesterday's
    assert loop.run("tick").returncode == 0 and loop.calls() == 2


def test_a_manual_run_passes_the_hourly_cap(loop):
    loop.fake("journal", max_decides_per_hour=1)
    loop.seed()
    assert loop.run("tick").returncode == 0 and loop.calls() == 1
    out = loop.run("run", "setup")
    assert out.returncode == 0, out.stderr
    assert loop.calls() == 2


def test_a_manual_run_honours_the_daily_budget_and_says_so(loop):
    loop.fake("journal", daily_budget_usd=0.01)
    loop.seed()
    (loop.data / "cost.jsonl").write_text(json.dumps(
        {"ts": utc_now(), "kind": "tick", "id": "x", "runner": "fake", "cost_usd": 5}) + "\n")
    out = loop.run("run", "setup")
    assert out.returncode == 1 and loop.calls() == 0
    assert "run setup: not run, the daily budget is spent ($5 of $0.01 today; it resets at midnight)" in out.stderr
    assert "FAILED" not in out.stdout + out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("hour", [0, 1, 12, 22, 23])
def test_the_daily_budget_resumes_at_the_very_next_midnight(tmp_path, hour):
    from looop.records.cost import local_midnight

    now = local_midnight(NOW) + hour * 3600 + 1800  # hh:30 local time
    ledger = tmp_path / "cost.jsonl"
    ledger.write_text(json.dumps({"ts": stamp(now - 1), "kind": "tick", "id": "x", "runner": "pi", "cost_usd": 2})
                      + "\n")
    state = budget.check(tmp_path / "events.jsonl", ledger, {"daily_budget_usd": 1}, now=now, env={})
    assert state.exhausted
    assert now < state.resumes_at <= now + (24 - hour) * 3600 + 3600  # the next one, give or take DST
    assert state.resumes_at == local_midnight(state.resumes_at)
