"""The PLAYBOOK gate and claim reaping: pure file operations."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from looop.beat import gate

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
    from looop.beat.gate import reap_claims

    (tmp_path / "deep.json").write_text('{"session": "looop-a", "x": ' + "[" * 1000 + "]" * 1000 + "}")
    (tmp_path / "deeper.json").write_text("[" * 100000 + "]" * 100000)
    reaped = dict(reap_claims(tmp_path, lambda s: True))
    assert reaped == {"deep": "unparseable", "deeper": "unparseable"}


# -- the gate holds against runners and workers (real beats) -------------------

def test_a_worker_editing_the_playbook_between_beats_makes_a_proposal(loop):
    from tests.fleet import kit

    kit.use_fake_worker(loop)
    loop.seed()
    seeded = (loop.data / "PLAYBOOK.md").read_text()
    kit.start(loop, "sly", "playbook", "the worker's rules", "hang")
    try:
        kit.wait_for(lambda: "worker's rules" in (loop.data / "PLAYBOOK.md").read_text(), what="the worker's edit")
        out = loop.run("tick")
        assert out.returncode == 0, out.stdout + out.stderr
        assert "adopted" not in out.stdout and "playbook_adopted" not in loop.event_names()
        assert (loop.data / "PLAYBOOK.md").read_text() == seeded == loop.approved.read_text()
        assert (loop.data / "PLAYBOOK.proposed.md").read_text() == "the worker's rules\n"
        status = loop.call("status").stdout
        assert "why: PLAYBOOK.md changed while a worker was running" in status
        assert "cannot tell your hand edit from a worker's" in status and "looop playbook approve" in status
    finally:
        loop.run("kill", "sly", "--grace", "1")


def test_a_worker_that_edited_and_exited_before_the_beat_still_only_proposes(loop):
    from tests.fleet import kit

    kit.use_fake_worker(loop)
    loop.seed()
    kit.start(loop, "quick", "playbook", "sneaky rules", "exit", "0")
    kit.wait_state(loop, "quick", "exited")
    assert loop.run("tick").returncode == 0
    assert "sneaky" not in loop.approved.read_text()
    assert (loop.data / "PLAYBOOK.proposed.md").read_text() == "sneaky rules\n"


def test_a_runner_that_also_overwrites_the_old_baseline_file_is_still_parked(loop):
    loop.fake("journal")
    loop.seed()
    seeded = (loop.data / "PLAYBOOK.md").read_text()
    runner = loop.root / "forger"
    runner.write_text("#!/usr/bin/env bash\ncat >/dev/null\nprintf 'forged\\n' >PLAYBOOK.md\n"
                      "printf 'forged\\n' >.PLAYBOOK.approved\n")
    runner.chmod(0o755)
    loop.write_config(str(runner))
    (loop.data / "goals" / "wake.md").write_text("x")
    assert loop.run("tick").returncode == 0
    assert (loop.data / "PLAYBOOK.md").read_text() == seeded
    assert (loop.data / "PLAYBOOK.proposed.md").read_text() == "forged\n"
    assert loop.run("tick").returncode == 0  # and the next beat does not adopt anything either
    assert (loop.data / "PLAYBOOK.md").read_text() == seeded and "playbook_adopted" not in loop.event_names()


def test_a_manual_run_during_a_beat_does_not_adopt_the_beats_edit(loop):
    go = loop.root / "go"
    runner = loop.root / "slow-editor"
    runner.write_text(f"""#!/usr/bin/env bash
cat >/dev/null
if [ "$LOOOP_COST_KIND" = goal ]; then printf -- '- %s manual\\n' "$(date '+%Y-%m-%d %H:%M')" >>journal.md; exit 0; fi
printf 'in-flight AI rules\\n' >PLAYBOOK.md
while [ ! -e {go} ]; do sleep 0.05; done
printf -- '- %s beat\\n' "$(date '+%Y-%m-%d %H:%M')" >>journal.md
""")
    runner.chmod(0o755)
    loop.write_config(str(runner))
    loop.seed()
    seeded = (loop.data / "PLAYBOOK.md").read_text()
    (loop.data / "goals" / "wake.md").write_text("x")
    beat = loop.popen("tick")
    try:
        from tests.fleet import kit

        kit.wait_for(lambda: "in-flight" in (loop.data / "PLAYBOOK.md").read_text(), what="the beat's edit")
        manual = loop.run("run", "setup")
        assert manual.returncode == 0, manual.stdout + manual.stderr
        assert "adopted" not in manual.stdout and loop.approved.read_text() == seeded
    finally:
        go.touch()
        beat.communicate(timeout=60)
    assert beat.returncode == 0
    assert (loop.data / "PLAYBOOK.md").read_text() == seeded
    assert (loop.data / "PLAYBOOK.proposed.md").read_text() == "in-flight AI rules\n"


def test_a_symlinked_playbook_is_followed_consistently(loop):
    loop.fake("playbook", "AI rules", "journal")
    loop.seed()
    target = loop.root / "dotfiles" / "PLAYBOOK.md"
    target.parent.mkdir()
    target.write_text("my linked rules\n")
    link = loop.data / "PLAYBOOK.md"
    link.unlink()
    link.symlink_to(target)
    assert loop.run("tick").returncode == 0  # my edit (the new link) is adopted, the AI's edit parked
    assert link.is_symlink() and target.read_text() == "my linked rules\n"
    assert (loop.data / "PLAYBOOK.proposed.md").read_text() == "AI rules\n"
    assert loop.run("playbook", "approve").returncode == 0
    assert link.is_symlink() and target.read_text() == "AI rules\n" == loop.approved.read_text()


def test_approve_and_reject_are_journaled_and_restore_alone_is_a_usage_line(loop):
    loop.fake("journal")
    loop.seed()
    (loop.data / "PLAYBOOK.proposed.md").write_text("# new judgment\n")
    out = loop.call("playbook", "approve")
    assert out.returncode == 0 and "playbook approve" in loop.journal()[-1]
    (loop.data / "PLAYBOOK.proposed.md").write_text("# another\n")
    assert loop.call("playbook", "reject").returncode == 0
    assert "playbook reject" in loop.journal()[-1]
    bare = loop.run("playbook", "restore")
    assert bare.returncode == 1 and bare.stderr.strip() == ("looop: usage: looop playbook restore N "
                                                        "(the entry number from `looop playbook history`)")
    assert "None" not in bare.stderr
