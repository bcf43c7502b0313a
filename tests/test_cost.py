"""The spend ledger: parsing arbitrary lines, totals, rounding."""

from __future__ import annotations

import json
import time

from hypothesis import given
from hypothesis import strategies as st

from looop import cost


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
