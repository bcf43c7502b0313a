"""The spend ledger: parsing arbitrary lines, totals, rounding."""

from __future__ import annotations

import json
import time

from hypothesis import given
from hypothesis import strategies as st

from looop.records import cost


@given(st.text(max_size=300))
def test_any_line_parses_or_is_skipped(line):
    entry = cost.parse_line(line)
    assert entry is None or entry.cost_usd > 0


@given(st.dictionaries(st.sampled_from(["ts", "kind", "id", "runner", "cost_usd", "x"]),
                       st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30), max_size=6))
def test_arbitrary_objects_never_crash(obj):
    entry = cost.parse_line(json.dumps(obj))
    if entry is not None:
        assert entry.cost_usd > 0 and isinstance(entry.kind, str) and entry.kind


@given(st.lists(st.floats(0.0001, 1000, allow_nan=False), max_size=30))
def test_ledger_roundtrip_totals(tmp_path_factory, amounts):
    ledger = tmp_path_factory.mktemp("l") / "cost.jsonl"
    for i, usd in enumerate(amounts):
        assert cost.record(ledger, "tick" if i % 2 else "goal", str(i), "pi", usd)
    with open(ledger, "a") as fh:
        fh.write("garbage\n{\"half\": \n")
    rep = cost.report(cost.entries(ledger))
    assert rep.calls == len(amounts)
    assert abs(rep.total - sum(amounts)) < 1e-6 * max(1, len(amounts))
    today = cost.report(cost.today_entries(ledger))
    assert today.calls == len(amounts)


def test_non_positive_amounts_are_not_recorded(tmp_path):
    ledger = tmp_path / "cost.jsonl"
    for bad in (0, -1, float("nan"), float("inf")):
        assert not cost.record(ledger, "tick", "x", "pi", bad)
    assert not ledger.exists()


def test_today_stops_at_yesterday(tmp_path):
    ledger = tmp_path / "cost.jsonl"
    old = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3 * 86400))
    lines = [json.dumps({"ts": old, "kind": "tick", "id": "o", "runner": "pi", "cost_usd": 5.0})] * 10
    ledger.write_text("\n".join(lines) + "\n")
    cost.record(ledger, "tick", "n", "pi", 0.25)
    assert cost.today_total(ledger) == 0.25


@given(st.floats(0, 10**6, allow_nan=False))
def test_usd_is_rounded_and_trimmed(x):
    text = cost.usd(x)
    assert not (text.endswith("0") and "." in text)
    assert not text.endswith(".")
    assert abs(float(text) - round(x, 4)) < 1e-9 * max(1, x)


def test_usd_examples():
    assert [cost.usd(v) for v in (0, 0.5, 1.0, 0.00004, 0.12345, 3.10)] == ["0", "0.5", "1", "0", "0.1235", "3.1"]


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([1e308, 1.7e308, 1e6, 1e300]),
                min_size=1, max_size=20))
def test_ledger_sums_stay_finite(tmp_path_factory, amounts):
    import math

    ledger = tmp_path_factory.mktemp("l") / "cost.jsonl"
    for usd in amounts:
        cost.record(ledger, "tick", "x", "fake", usd)
    with open(ledger, "a") as fh:  # hand-written lines, or an older looop's
        fh.write('{"ts": "2026-01-01T00:00:00Z", "kind": "tick", "id": "x", "runner": "r", "cost_usd": 1e308}\n' * 3)
    rep = cost.report(cost.entries(ledger))
    assert math.isfinite(rep.total)
    json.dumps(rep.as_json("all"), allow_nan=False)


def test_absurd_amounts_are_refused_and_nothing_prints_infinity(loop):
    loop.seed()
    out = loop.run("_cost", "tick", "x", "fake", "1e308")
    assert out.returncode == 2 and "must be a number of US dollars" in out.stderr
    assert cost.usd(float("inf")) == "?" and cost.usd(float("nan")) == "?"
