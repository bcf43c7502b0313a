"""Every guardrail knob: in the config schema, in `looop help`, validated, env over config."""

from __future__ import annotations

import pytest

from looop import knobs, schemas


@pytest.mark.parametrize("name", sorted(knobs.KNOBS))
def test_each_knob_is_documented_and_in_the_schema(loop, name):
    var, key, _ = knobs.KNOBS[name]
    assert key in schemas.load("config")["properties"]
    manual = loop.call("help").stdout
    assert var in manual and key in manual


def test_a_config_with_every_knob_is_valid_and_used(loop):
    loop.fake("journal", max_decides_per_hour=1, daily_budget_usd=2.5, runner_retries=1,
              runner_retry_match="overloaded", runner_retry_delay=0, flap_beats=3, noop_ttl=60)
    assert loop.run("tick").returncode == 0
    loop.fake("goal", "g", "x", "journal", max_decides_per_hour=1)
    (loop.data / "goals" / "new.md").write_text("wake up")
    held = loop.run("tick")
    assert held.returncode == 0 and "max_decides_per_hour is 1" in held.stdout
    assert loop.calls() == 1


@pytest.mark.parametrize("field, value", [("max_decides_per_hour", -1), ("daily_budget_usd", "lots"),
                                          ("runner_retries", 99), ("noop_ttl", 1.5), ("flap_beats", "5")])
def test_a_bad_knob_in_the_config_is_one_line_naming_the_field(loop, field, value):
    loop.fake("journal", **{field: value})
    out = loop.run("tick")
    assert out.returncode == 2
    assert str(loop.config) in out.stderr and field in out.stderr
    assert "Traceback" not in out.stderr


def test_env_beats_config():
    assert knobs.whole("flap_beats", {"flap_beats": 3}, {"LOOOP_FLAP_BEATS": "9"}) == 9
    assert knobs.whole("flap_beats", {"flap_beats": 3}, {}) == 3
    assert knobs.whole("flap_beats", None, {}) == 5
    assert knobs.amount("daily_budget_usd", {"daily_budget_usd": 1}, {"LOOOP_DAILY_BUDGET_USD": "0.5"}) == 0.5
