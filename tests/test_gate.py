"""The PLAYBOOK gate and claim reaping: pure file operations."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from looop import gate

texts = st.binary(max_size=64)


def _files(tmp):
    return tmp / "PLAYBOOK.md", tmp / ".PLAYBOOK.approved", tmp / "PLAYBOOK.proposed.md"


@given(base=texts, human=texts, ai=texts)
def test_ai_edits_are_parked_and_human_edits_adopted(tmp_path_factory, base, human, ai):
    pb, approved, proposed = _files(tmp_path_factory.mktemp("g"))
    pb.write_bytes(base)
    assert gate.gate_pre(pb, approved) == "baseline"
    pb.write_bytes(human)  # the human edits between beats
    assert gate.gate_pre(pb, approved) == ("adopted" if human != base else None)
    assert approved.read_bytes() == human
    pb.write_bytes(ai)  # the AI edits during the beat
    parked = gate.gate_post(pb, approved, proposed)
    assert parked == (ai != human)
    assert pb.read_bytes() == human  # the live PLAYBOOK is never the AI's
    if parked:
        assert proposed.read_bytes() == ai
    else:
        assert not proposed.exists()


def test_approve_and_reject(tmp_path):
    pb, approved, proposed = _files(tmp_path)
    pb.write_text("old")
    gate.gate_pre(pb, approved)
    assert not gate.approve(pb, approved, proposed)
    assert not gate.reject(proposed)
    proposed.write_text("new")
    assert gate.approve(pb, approved, proposed)
    assert pb.read_text() == approved.read_text() == "new" and not proposed.exists()
    proposed.write_text("newer")
    assert gate.reject(proposed)
    assert pb.read_text() == "new" and not proposed.exists()


def test_deleting_the_playbook_is_undone_too(tmp_path):
    pb, approved, proposed = _files(tmp_path)
    pb.write_text("keep me")
    gate.gate_pre(pb, approved)
    pb.unlink()
    assert gate.gate_post(pb, approved, proposed)
    assert pb.read_text() == "keep me"


def test_claims_are_reaped_unless_their_worker_lives(tmp_path):
    claims = tmp_path / "claims"
    claims.mkdir()
    (claims / "live.json").write_text(json.dumps({"session": "looop-a", "name": "live"}))
    (claims / "dead.json").write_text(json.dumps({"session": "looop-gone", "name": "dead"}))
    (claims / "garbage.json").write_bytes(b"\x00{not json")
    (claims / "nosession.json").write_text(json.dumps({"name": "x"}))
    (claims / "list.json").write_text("[1, 2]")
    (claims / "notes.txt").write_text("not a claim")
    reaped = dict(gate.reap_claims(claims, lambda s: s == "looop-a"))
    assert set(reaped) == {"dead", "garbage", "nosession", "list"}
    assert reaped["garbage"] == "unparseable"
    assert sorted(p.name for p in claims.iterdir()) == ["live.json", "notes.txt"]


def test_a_claim_nested_a_thousand_levels_is_reaped_not_raised(tmp_path):
    from looop.gate import reap_claims

    (tmp_path / "deep.json").write_text('{"session": "looop-a", "x": ' + "[" * 1000 + "]" * 1000 + "}")
    (tmp_path / "deeper.json").write_text("[" * 100000 + "]" * 100000)
    reaped = dict(reap_claims(tmp_path, lambda s: True))
    assert reaped == {"deep": "unparseable", "deeper": "unparseable"}
