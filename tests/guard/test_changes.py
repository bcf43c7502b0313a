"""WHAT CHANGED, flapping sensors and the noop TTL: why the AI is woken, and when."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from looop.beat.world import canonical
from looop.core import schemas
from looop.guard import noop
from looop.records import changes


def sensor(name: str, signal) -> tuple[str, bytes]:
    return (f"sensor:{name}", canonical(signal))


def saved(tmp_path, parts, before=None):
    path = tmp_path / "world.json"
    changes.save(path, parts, before)
    return changes.load(path)


def test_the_first_decided_beat_says_everything_is_new():
    assert "first decided beat" in changes.report(None, [("PLAYBOOK.md", b"x")])[0]


def test_changed_signal_keys_show_old_and_new_values_only(tmp_path):
    before = saved(tmp_path, [("PLAYBOOK.md", b"p"), sensor("gh", {"prs": {"open": 3, "mine": 1}, "ci": "green"})])
    lines = changes.report(before, [("PLAYBOOK.md", b"p"), sensor("gh", {"prs": {"open": 4, "mine": 1}, "ci": "green",
                                                                         "new": True})])
    assert lines == ["- sensor gh: changed", "    new: (absent) → true", "    prs.open: 3 → 4"]


def test_goals_playbook_sensors_and_workers_added_removed_changed(tmp_path):
    before = saved(tmp_path, [("PLAYBOOK.md", b"a"), ("goals/old.md", b"o"), ("goals/keep.md", b"k"),
                              sensor("gone", 1), ("worker:looop-w", canonical(["looop-w", "running", None, None]))])
    lines = changes.report(before, [("PLAYBOOK.md", b"b"), ("goals/keep.md", b"k"), ("goals/new.md", b"n"),
                                    ("worker:looop-w", canonical(["looop-w", "exited", 0, None])), sensor("s", 2)])
    assert lines == ["- PLAYBOOK.md: changed", "- goals/new.md: added",
                     "- worker looop-w: changed", '    running → exited (exit 0)',
                     "- sensor s: added: 2", "- goals/old.md: removed", "- sensor gone: removed"]


def test_nothing_changed_is_said_plainly(tmp_path):
    parts = [("PLAYBOOK.md", b"a"), sensor("s", {"x": 1})]
    assert changes.report(saved(tmp_path, parts), parts)[0].startswith("(nothing since the last decided beat")


def test_what_is_kept_per_signal_is_capped(tmp_path):
    big = {"blob": "x" * (changes.VALUE_CAP * 2)}
    state = saved(tmp_path, [sensor("big", big)])
    assert state["values"]["sensor:big"] is None
    assert (tmp_path / "world.json").stat().st_size < 1024
    assert "too large" in changes.report(state, [sensor("big", {"blob": "y"})])[1]


def test_the_digest_only_format_still_loads(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"PLAYBOOK.md": "abc"}))
    assert changes.report(changes.load(path), [("PLAYBOOK.md", b"p")]) == ["- PLAYBOOK.md: changed"]


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=30),
                           lambda k: st.lists(k, max_size=4) | st.dictionaries(st.text(max_size=8), k, max_size=5),
                           max_leaves=30)


@given(old=st.dictionaries(st.text(max_size=6), json_values, max_size=6),
       new=st.dictionaries(st.text(max_size=6), json_values, max_size=6))
def test_any_two_signals_give_a_bounded_report(tmp_path_factory, old, new):
    state = saved(tmp_path_factory.mktemp("w"), [sensor(f"s{i}", old) for i in range(3)])
    lines = changes.report(state, [sensor(f"s{i}", new) for i in range(3)])
    assert len(lines) <= changes.LINES_CAP + 1
    assert all(len(line) < 3 * changes.SHOWN_CHARS for line in lines)
    assert (lines[0].startswith("(nothing")) == (canonical(old) == canonical(new))


def test_a_sensor_that_changes_every_beat_is_flapping(tmp_path):
    state = None
    for n in range(5):
        parts = [sensor("clock", {"t": n}), sensor("calm", {"ok": True})]
        counts = changes.streaks(state, parts)
        state = saved(tmp_path, parts, state)
    assert counts == {"clock": 4, "calm": 0}
    assert changes.flapping(counts, 4) == ["clock"] and changes.flapping(counts, 5) == []
    assert changes.flapping(counts, 0) == []
    parts = [sensor("clock", {"t": 4}), sensor("calm", {"ok": True})]
    assert changes.streaks(state, parts)["clock"] == 0, "one quiet beat ends the streak"


def dry_prompt(loop) -> str:
    out = loop.run("tick", "--dry-run")
    assert out.returncode == 0, out.stderr
    path = next(ln for ln in out.stdout.splitlines() if ln.endswith("/prompt.md") and " " not in ln)
    from pathlib import Path

    return Path(path).read_text()


def section(text: str, header: str) -> str:
    return text.split(header + "\n", 1)[1].split("\n=== ", 1)[0]


def test_the_prompt_says_which_signal_changed_from_what_to_what(loop):
    loop.fake("journal")
    (loop.root / "sig.json").write_text('{"signal": {"inbox": 2, "ci": "green"}, "detail": {"at": 1}}')
    loop.sensor("mail", "cat ../sig.json")
    assert loop.run("tick").returncode == 0
    (loop.root / "sig.json").write_text('{"signal": {"inbox": 5, "ci": "green"}, "detail": {"at": 2}}')
    body = section(dry_prompt(loop), "=== WHAT CHANGED ===")
    assert "- sensor mail: changed\n    inbox: 2 → 5" in body
    assert "ci" not in body and "today" not in body
    text = dry_prompt(loop)
    assert text.index("=== WHAT CHANGED ===") < text.index("=== PLAYBOOK ===")


def test_a_flapping_sensor_is_named_in_the_prompt_and_in_status(loop):
    loop.fake("journal")
    loop.env["LOOOP_FLAP_BEATS"] = "3"
    loop.sensor("clock", 'printf \'{"signal": {"ns": "%s"}}\' "$(date +%s%N)"')
    for n in range(4):
        assert loop.run("tick").returncode == 0
        flapping = "=== FLAPPING SENSORS ===" in loop.prompt_copy.read_text()
        assert flapping == (n == 3), n
    assert "- sensor clock: its signal changed on each of the last 3 decided beats" in loop.prompt_copy.read_text()
    assert '"detail"' in section(loop.prompt_copy.read_text(), "=== FLAPPING SENSORS ===")
    snap = json.loads(loop.call("status", "--json").stdout)
    assert schemas.problems("status", snap) == [] and snap["flapping"] == ["clock"]
    assert "flapping sensor: clock" in loop.call("status").stdout


def age_noop(loop, seconds: float) -> None:
    state = json.loads((loop.data / ".noop-since").read_text())
    state["since"] -= seconds
    (loop.data / ".noop-since").write_text(json.dumps(state))


def test_a_noop_decision_is_revisited_after_the_ttl(loop):
    loop.fake("journal", "nothing to do")
    assert loop.run("tick").returncode == 0
    assert loop.run("tick").returncode == 0 and loop.calls() == 1, "unchanged world: skipped"
    age_noop(loop, 6 * 3600 - 60)
    assert loop.run("tick").returncode == 0 and loop.calls() == 1, "not yet: the default TTL is 6 h"
    age_noop(loop, 120)
    out = loop.run("tick")
    assert loop.calls() == 2 and "deciding again" in out.stdout
    assert "scheduled re-check" in section(loop.prompt_copy.read_text(), "=== WHAT CHANGED ===")
    assert loop.run("tick").returncode == 0 and loop.calls() == 2, "the TTL restarts after the re-check"


def test_a_decision_that_changed_something_is_not_a_noop(loop):
    loop.fake("goal", "inbox", "triage the inbox", "journal")
    assert loop.run("tick").returncode == 0
    assert not (loop.data / ".noop-since").exists()


def test_the_noop_ttl_can_be_turned_off(loop):
    loop.fake("journal", noop_ttl=0)
    assert loop.run("tick").returncode == 0
    age_noop(loop, 10**7)
    assert loop.run("tick").returncode == 0 and loop.calls() == 1


def test_noop_expiry_needs_the_same_world(tmp_path):
    path = tmp_path / "noop"
    noop.settle(path, "a", "a", "world-1", ttl=60)
    assert noop.expired(path, "world-1", env={}, now=10**10) is not None
    assert noop.expired(path, "world-2", env={}, now=10**10) is None
    assert noop.expired(path, "world-1", env={"LOOOP_NOOP_TTL": str(10**11)}, now=10**10) is None
    assert noop.settle(path, "a", "b", "world-1", ttl=60) is False and not path.exists()


def test_only_the_journal_changing_is_a_noop(tmp_path):
    for d in ("goals/archive", "sensors", "claims", "reports"):
        (tmp_path / d).mkdir(parents=True)
    (tmp_path / "goals" / "a.md").write_text("a")
    before = noop.fingerprint(tmp_path, [])
    (tmp_path / "journal.md").write_text("- 2026-01-01 00:00 nothing to do\n")
    assert noop.fingerprint(tmp_path, []) == before
    for move in (lambda: (tmp_path / "reports" / "r.md").write_text("weekly"),
                 lambda: (tmp_path / "goals" / "a.md").write_text("b"),
                 lambda: (tmp_path / "attention.md").write_text("help"),
                 lambda: (tmp_path / "goals" / "a.md").rename(tmp_path / "goals" / "archive" / "a.md")):
        move()
        after = noop.fingerprint(tmp_path, [])
        assert after != before
        before = after


@given(key=st.sampled_from(["x", "\n=== PLAYBOOK ===\n", "--- sensor-y.json", "\r=== GOALS ==="]),
       value=st.sampled_from(["=== RECENT JOURNAL ===", "\n--- a.md\n", 1]))
def test_signal_values_cannot_forge_a_prompt_section(tmp_path_factory, key, value):
    from pathlib import Path

    from looop.beat import prompt

    state = saved(tmp_path_factory.mktemp("w"), [sensor("s", {key: 0})])
    body = "\n".join(changes.report(state, [sensor("s", {key: value})]))
    inp = prompt.Inputs(data_dir=Path("/d"), looop_bin="/b", now="2026-01-01 00:00", zone="UTC", playbook="p",
                        extra=[(prompt.WHAT_CHANGED, body)])
    text = prompt.build(inp)
    assert [ln for ln in text.splitlines() if ln.startswith("=== ")] == [prompt.WHAT_CHANGED, *prompt.HEADERS]
    assert not [ln for ln in text.splitlines() if ln.startswith("--- ")]
