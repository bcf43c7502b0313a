"""PLAYBOOK history: every replaced live text is kept (newest 20) and can come back."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from looop.beat import gate
from looop.records import history


def live_and_kept(tmp):
    return tmp / "PLAYBOOK.md", tmp / ".PLAYBOOK.approved", tmp / "PLAYBOOK.proposed.md", tmp / "playbook.d"


def test_approve_and_an_adopted_hand_edit_keep_the_text_they_replaced(tmp_path):
    pb, approved, proposed, hist = live_and_kept(tmp_path)
    pb.write_text("v1")
    gate.gate_pre(pb, approved, hist)
    assert history.entries(hist) == []
    proposed.write_text("v2")
    gate.approve(pb, approved, proposed, hist)
    pb.write_text("v3")  # the human edits by hand
    assert gate.gate_pre(pb, approved, hist) == "adopted"
    kept = history.entries(hist)
    assert [e.text() for e in kept] == ["v2", "v1"]
    assert [e.reason for e in kept] == ["adopted", "approved"]


def test_a_parked_ai_edit_is_not_history(tmp_path):
    pb, approved, proposed, hist = live_and_kept(tmp_path)
    pb.write_text("v1")
    gate.gate_pre(pb, approved, hist)
    pb.write_text("ai")
    assert gate.gate_post(pb, approved, proposed)
    assert history.entries(hist) == []


@settings(max_examples=15)
@given(texts=st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=30))
def test_only_the_newest_20_are_kept_newest_first(tmp_path_factory, texts):
    hist = tmp_path_factory.mktemp("h") / "playbook.d"
    for t in texts:
        history.keep(hist, t.encode(), "adopted")
    deduped = [t for i, t in enumerate(texts) if i == 0 or texts[i - 1] != t]
    assert [e.text() for e in history.entries(hist)] == list(reversed(deduped))[:20]


def test_restore_makes_the_text_live_and_the_baseline_and_keeps_the_current(tmp_path):
    pb, approved, proposed, hist = live_and_kept(tmp_path)
    pb.write_text("v1")
    gate.gate_pre(pb, approved, hist)
    pb.write_text("v2")
    gate.gate_pre(pb, approved, hist)
    history.restore(pb, approved, hist, 1)
    assert pb.read_text() == approved.read_text() == "v1"
    assert gate.gate_pre(pb, approved, hist) is None, "the gate sees no hand edit"
    assert [e.text() for e in history.entries(hist)][:2] == ["v2", "v1"]


def test_playbook_history_and_restore_from_the_command_line(loop):
    loop.fake("journal")
    loop.seed()
    seeded = (loop.data / "PLAYBOOK.md").read_text()
    assert "no PLAYBOOK history yet" in loop.call("playbook", "history").stdout
    (loop.data / "PLAYBOOK.proposed.md").write_text("# Mine\nonly do the inbox\n")
    assert loop.call("playbook", "approve").returncode == 0
    (loop.data / "PLAYBOOK.md").write_text("# Mine\nonly do the inbox, politely\n")
    assert loop.run("tick").returncode == 0  # adopts the hand edit

    listing = loop.call("playbook", "history").stdout
    rows = [ln for ln in listing.splitlines() if ln.strip()[:2].strip().isdigit()]
    assert len(rows) == 2
    assert "hand edit" in rows[0] and "approved proposal" in rows[1]
    assert "only do the inbox" in loop.call("playbook", "history", "1").stdout

    out = loop.call("playbook", "restore", "2")
    assert out.returncode == 0, out.stderr
    assert (loop.data / "PLAYBOOK.md").read_text() == seeded
    assert loop.approved.read_text() == seeded
    assert "playbook_restored" in loop.event_names()
    assert "only do the inbox, politely" in (sorted((loop.data / "playbook.d").iterdir())[-1]).read_text()
    tick = loop.run("tick")
    assert "adopted" not in tick.stdout and loop.calls() == 2, "a restore is a change the next beat sees"


def test_restore_of_a_missing_entry_is_one_clear_line(loop):
    loop.seed()
    out = loop.call("playbook", "restore", "3")
    assert out.returncode == 1 and "no PLAYBOOK history yet" in out.stderr
    out = loop.call("playbook", "restore")
    assert out.returncode == 1 and "entry number" in out.stderr


def test_history_is_not_tracked_by_git(loop):
    loop.seed()
    assert "/playbook.d/" in (loop.data / ".gitignore").read_text().splitlines()
