"""The knob table: every knob in `looop help` (and the config schema when it has a key), one parser,
a range per knob, a bad value is one line naming it (exit 2), env over config."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from looop.beat import pulse
from looop.core import knobs, schemas
from looop.core.errors import FatalError
from looop.core.paths import Paths
from looop.setup import config


@pytest.mark.parametrize("name", sorted(knobs.KNOBS))
def test_each_knob_is_documented_and_in_the_schema(loop, name):
    knob = knobs.KNOBS[name]
    manual = loop.call("help").stdout
    assert knob.env in manual and knob.help in manual
    if knob.key:
        assert knob.key in schemas.load("config")["properties"] and f"config {knob.key}" in manual


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

NUMERIC = [name for name, k in knobs.KNOBS.items() if k.kind not in ("regex", "switch")]
NONSENSE = ["inf", "-inf", "nan", "1e999", "1e3", "-1", "١٢", "１２", "0x10", "12abc", "", "1_000", "+5", " - 3"]


@pytest.mark.parametrize("name", NUMERIC)
@pytest.mark.parametrize("value", [v for v in NONSENSE if v.strip()])
def test_nonsense_in_any_numeric_knob_is_one_line_naming_it(name, value):
    var = knobs.KNOBS[name].env
    with pytest.raises(FatalError) as err:
        knobs.get(name, None, {var: value})
    assert err.value.code == 2 and var in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("name", [n for n in NUMERIC if knobs.KNOBS[n].key])
@pytest.mark.parametrize("value", [float("inf"), float("nan"), -1, True, "60", [1]])
def test_nonsense_config_values_name_the_key(name, value):
    with pytest.raises(FatalError) as err:
        knobs.get(name, {name: value}, {})
    assert err.value.code == 2 and f"config {name}" in str(err.value)


@given(name=st.sampled_from(sorted(knobs.KNOBS)), value=st.text(max_size=30))
def test_any_env_text_parses_into_range_or_fails_cleanly(name, value):
    knob = knobs.KNOBS[name]
    try:
        got = knobs.get(name, None, {knob.env: value})
    except FatalError as err:
        assert err.code == 2 and knob.env in str(err)
        return
    if not value.strip():
        assert got == knob.default
    elif knob.kind not in ("regex", "switch"):
        assert knob.low <= got <= knob.high and math.isfinite(got)
        assert got >= (knob.floor or 0)


@given(name=st.sampled_from(NUMERIC), value=st.integers(-10**30, 10**30) | st.floats(allow_nan=True))
def test_any_env_number_parses_into_range_or_fails_cleanly(name, value):
    knob = knobs.KNOBS[name]
    try:
        got = knobs.get(name, None, {knob.env: repr(value)})
    except FatalError as err:
        assert err.code == 2 and knob.env in str(err)
        return
    assert knob.low <= got <= knob.high


@pytest.mark.parametrize("name", ["interval", "busy_interval", "active_interval"])
def test_a_zero_interval_is_raised_to_one_second_and_said(name, capsys):
    knobs._noted.clear()
    assert config.cadence({name: 0}, {})[name] == 1
    assert config.cadence(None, {knobs.KNOBS[name].env: "0"})[name] == 1
    said = capsys.readouterr().err
    assert f"config {name}=0" in said and f"{knobs.KNOBS[name].env}='0'" in said and "floor of 1 s" in said


@pytest.mark.parametrize("env", [{"LOOOP_TICK_TIMEOUT": "-1"}, {"LOOOP_INTERVAL": "inf"},
                                 {"LOOOP_SENSOR_TIMEOUT": "nan"}, {"LOOOP_RUNS_KEEP": "1e999"}])
def test_a_bad_knob_stops_tick_with_one_line_and_exit_2(loop, env):
    loop.fake("journal")
    out = loop.run("tick", env=env)
    assert out.returncode == 2, out.stdout + out.stderr
    assert out.stderr.strip().count("\n") == 0 and next(iter(env)) in out.stderr
    assert loop.calls() == 0


def test_status_json_stays_json_with_a_floored_interval(loop):
    loop.fake("journal", interval=0)
    out = loop.run("status", "--json")
    assert json.loads(out.stdout)["pulse"]["interval_s"] == 1 and "floor of 1 s" in out.stderr


def test_the_pulse_with_interval_zero_beats_no_faster_than_once_a_second(loop):
    loop.fake("journal", interval=0, busy_interval=0, active_interval=0)
    proc = loop.popen()
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "next beat in" in line:
                break
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    text = "".join(lines)
    assert "next beat in 1s" in text and "floor of 1 s" in text, text


@pytest.mark.parametrize("digits", [4301, 100_000])
def test_a_huge_next_interval_is_clamped_not_a_crash(tmp_path, digits):
    paths = Paths(data=tmp_path, config=tmp_path / "c.json", is_default_profile=False)
    paths.next_interval.write_text("9" * digits)
    assert pulse.take_next_interval(paths) == pulse.MAX_WAIT
    paths.next_interval.write_text("0" * digits + "7")
    assert pulse.take_next_interval(paths) == 7


def test_the_config_is_not_json_parsed_by_knobs_for_env_only_knobs(tmp_path):
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"interval": 5}))
    assert knobs.get("tick_timeout", knobs.config_dict(cfg), {}) == 900


def test_the_config_schema_and_the_readme_table_are_what_the_knob_table_makes():
    assert knobs.stale() == [], "run: python -m looop.core.knobs --write"


def test_a_knob_whose_range_changes_makes_the_schema_and_the_readme_stale(monkeypatch):
    monkeypatch.setattr(knobs.KNOBS["verify_timeout"], "high", 7 * knobs.DAY)
    assert {path.rsplit("/", 1)[-1] for path in knobs.stale()} == {"config.schema.json", "README.md"}


@pytest.mark.parametrize("name", [n for n in NUMERIC if knobs.KNOBS[n].key])
def test_the_schema_accepts_a_config_value_exactly_when_the_knob_does(name):
    knob = knobs.KNOBS[name]
    base = {"default": "x", "runners": {"x": {"tick": "true"}}}
    bounded = knob.high < 10**12  # the table's "no upper limit"
    for value in (knob.low, knob.high if bounded else 10**9, knob.low - 1, *([knob.high + 1] if bounded else [])):
        try:
            knobs.get(name, {name: value}, {})
            taken = True
        except FatalError:
            taken = False
        assert schemas.is_valid("config", {**base, name: value}) == taken, (name, value)
