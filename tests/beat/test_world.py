"""The world hash: what wakes the loop, and what must never wake it."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import assume, given
from hypothesis import strategies as st

from looop.beat import world
from looop.fleet import Worker

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
    max_leaves=12,
)
objects = st.dictionaries(st.text(max_size=8), json_values, max_size=5)


def _world(tmp: Path, readings: dict[str, bytes], workers: list[Worker] = (), playbook: bytes = b"P") -> str:
    for sub in ("goals", "snapshots"):
        (tmp / sub).mkdir(exist_ok=True)
        for old in (tmp / sub).iterdir():
            old.unlink()
    (tmp / "PLAYBOOK.md").write_bytes(playbook)
    (tmp / "goals" / "a.md").write_text("goal a")
    for name, raw in readings.items():
        (tmp / "snapshots" / f"sensor-{name}.json").write_bytes(raw)
    parts = world.parts(tmp / "PLAYBOOK.md", tmp / "goals", tmp / "snapshots", workers)
    return world.digest(parts)


def _shuffled(obj: dict, seed: int) -> dict:
    items = list(obj.items())
    if items:
        k = seed % len(items)
        items = items[k:] + items[:k]
    return {k: (_shuffled(v, seed) if isinstance(v, dict) else v) for k, v in reversed(items)}


@given(signal=objects, seed=st.integers(0, 100), indent=st.sampled_from([None, 2]))
def test_key_order_and_formatting_never_matter(tmp_path_factory, signal, seed, indent):
    tmp = tmp_path_factory.mktemp("w")
    a = _world(tmp, {"s": json.dumps({"signal": signal}).encode()})
    b = _world(tmp, {"s": json.dumps({"signal": _shuffled(signal, seed)}, indent=indent).encode()})
    assert a == b


@given(signal=objects, d1=json_values, d2=json_values)
def test_detail_never_matters(tmp_path_factory, signal, d1, d2):
    tmp = tmp_path_factory.mktemp("w")
    a = _world(tmp, {"s": json.dumps({"signal": signal, "detail": d1}).encode()})
    b = _world(tmp, {"s": json.dumps({"detail": d2, "signal": signal}).encode()})
    assert a == b


@given(s1=json_values, s2=json_values)
def test_any_signal_change_wakes(tmp_path_factory, s1, s2):
    assume(world.canonical(s1) != world.canonical(s2))
    tmp = tmp_path_factory.mktemp("w")
    a = _world(tmp, {"s": json.dumps({"signal": s1}).encode()})
    b = _world(tmp, {"s": json.dumps({"signal": s2}).encode()})
    assert a != b


@given(o1=objects, o2=objects)
def test_reading_without_signal_counts_whole(tmp_path_factory, o1, o2):
    assume("signal" not in o1 and "signal" not in o2)
    tmp = tmp_path_factory.mktemp("w")
    same = world.canonical(o1) == world.canonical(o2)
    assert (_world(tmp, {"s": json.dumps(o1).encode()}) == _world(tmp, {"s": json.dumps(o2).encode()})) == same


def test_unparseable_reading_counts_raw_bytes(tmp_path):
    assert _world(tmp_path, {"s": b"not json 1"}) != _world(tmp_path, {"s": b"not json 2"})
    assert _world(tmp_path, {"s": b"not json"}) == _world(tmp_path, {"s": b"not json"})


def test_playbook_and_goals_count_whole(tmp_path):
    assert _world(tmp_path, {}, playbook=b"one") != _world(tmp_path, {}, playbook=b"one ")


@given(age1=st.floats(0, 1e6), age2=st.floats(0, 1e6))
def test_an_ageing_worker_never_wakes(tmp_path_factory, age1, age2):
    tmp = tmp_path_factory.mktemp("w")
    w1 = Worker(id="looop-a", state="running", age_s=age1)
    w2 = Worker(id="looop-a", state="running", age_s=age2)
    assert _world(tmp, {}, [w1]) == _world(tmp, {}, [w2])


def test_a_flag_an_exit_or_a_new_worker_wakes(tmp_path):
    base = Worker(id="looop-a", state="running")
    h = _world(tmp_path, {}, [base])
    assert _world(tmp_path, {}, [Worker(id="looop-a", state="running", note="help?")]) != h
    assert _world(tmp_path, {}, [Worker(id="looop-a", state="exited", exit_code=0)]) != h
    assert _world(tmp_path, {}, [base, Worker(id="looop-b", state="starting")]) != h


@given(names=st.lists(st.from_regex(r"[a-z]{1,6}", fullmatch=True), unique=True, max_size=4))
def test_marker_boundaries_cannot_collide(tmp_path_factory, names):
    # moving bytes from one part to the next must change the hash
    tmp = tmp_path_factory.mktemp("w")
    a = _world(tmp, {"x": b"ab", "y": b"c"})
    b = _world(tmp, {"x": b"a", "y": b"bc"})
    assert a != b


# -- hardening: nothing in a reading or a file name breaks the hash ------------

any_text = st.text(alphabet=st.characters(codec=None, categories=None) | st.sampled_from("\ud800\udc80\udfff"),
                   max_size=12)
wild_values = st.recursive(
    st.none() | st.integers() | any_text,
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(any_text, kids, max_size=3),
    max_leaves=8,
)


@given(signal=wild_values)
def test_any_json_signal_hashes_even_lone_surrogates(tmp_path_factory, signal):
    tmp = tmp_path_factory.mktemp("w")
    raw = json.dumps({"signal": signal}).encode()  # "\ud800" is valid JSON text
    assert _world(tmp, {"s": raw}) == _world(tmp, {"s": raw})


def test_a_lone_surrogate_signal_still_wakes_on_change(tmp_path):
    assert _world(tmp_path, {"s": b'{"signal": "\\ud800"}'}) != _world(tmp_path, {"s": b'{"signal": "\\ud801"}'})


def test_a_reading_nested_a_thousand_levels_hashes(tmp_path):
    deep = b'{"signal": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    assert _world(tmp_path, {"s": deep}) != _world(tmp_path, {"s": b'{"signal": []}'})


file_names = st.binary(min_size=1, max_size=60).filter(lambda b: b"/" not in b and b"\0" not in b
                                                        and b not in (b".", b".."))


@given(name=file_names)
def test_any_goal_file_name_hashes_and_prompts(tmp_path_factory, name):
    import os

    from looop.beat import prompt

    tmp = tmp_path_factory.mktemp("w")
    _world(tmp, {})
    with open(os.path.join(os.fsencode(tmp / "goals"), name + b".md"), "wb") as fh:
        fh.write(b"do it")
    parts = world.parts(tmp / "PLAYBOOK.md", tmp / "goals", tmp / "snapshots", [])
    assert len(world.digest(parts)) == 64
    for marker, _ in parts:
        marker.encode("utf-8")  # printable: never a surrogate
    text = prompt.build(prompt.Inputs(data_dir=tmp, looop_bin="looop", now="2026-01-01 00:00", zone="UTC",
                                      playbook="P", goals=[(world.shown(g.name), "do it")
                                                           for g in (tmp / "goals").glob("*.md")]))
    text.encode("utf-8")


def test_a_huge_goal_is_never_read_whole(tmp_path):
    _world(tmp_path, {})
    huge = tmp_path / "goals" / "huge.md"
    with open(huge, "wb") as fh:
        fh.truncate(1 << 30)  # 1 GB, sparse
    parts = dict(world.parts(tmp_path / "PLAYBOOK.md", tmp_path / "goals", tmp_path / "snapshots", [], 1000))
    assert len(parts["goals/huge.md"]) < 1100
    before = world.digest(list(parts.items()))
    with open(huge, "r+b") as fh:
        fh.truncate((1 << 30) + 1)  # a change past the bytes read still wakes the loop
    after = world.digest(world.parts(tmp_path / "PLAYBOOK.md", tmp_path / "goals", tmp_path / "snapshots", [], 1000))
    assert before != after
