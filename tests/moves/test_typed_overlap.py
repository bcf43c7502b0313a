"""A typed `looop run <goal>` beside a typed beat: each decider has its own
decision file, so neither reads, deletes or makes the other's move."""

from __future__ import annotations

import json
import os

from tests.helpers import wait_for


def test_a_run_beside_a_beat_makes_its_own_move_and_the_beat_makes_its_own(loop, tmp_path):
    beat_move = {"move": "write_goal", "id": "from-beat", "body": "the beat's move\n", "journal": "beat: its move"}
    run_move = {"move": "write_goal", "id": "from-run", "body": "the run's move\n", "journal": "run: its move"}
    (tmp_path / "beat.json").write_text(json.dumps(beat_move) + "\n")
    (tmp_path / "run.json").write_text(json.dumps(run_move) + "\n")
    decided, run_done = tmp_path / "beat-decided", tmp_path / "run-done"
    # the beat writes its decision, then waits for the run to be over before it exits (and reads it);
    # the run starts only once the beat's decision is there, so the two overlap the same way every time
    script = f"""
wait() {{ for _ in $(seq 1 600); do [ -e "$1" ] && return 0; sleep 0.05; done; exit 9; }}
out=${{LOOOP_DECISION:-.decision.json}}
if [ "$LOOOP_COST_KIND" = goal ]; then
  cat {tmp_path / "run.json"} >"$out"
else
  cat {tmp_path / "beat.json"} >"$out"; touch {decided}; wait {run_done}
fi
"""
    loop.fake("sh", script, moves="typed")
    loop.seed()
    before = len(loop.journal())
    beat = loop.popen("tick")
    try:
        wait_for(decided.exists, timeout=30, what="the beat's decision")
        run = loop.run("run", "setup")
    finally:
        run_done.touch()
    beat_out = beat.communicate(timeout=60)[0]
    assert run.returncode == 0, run.stdout + run.stderr
    assert beat.returncode == 0, beat_out
    assert (loop.data / "goals" / "from-run.md").read_text() == "the run's move\n"
    assert (loop.data / "goals" / "from-beat.md").read_text() == "the beat's move\n"
    new = [line[19:] for line in loop.journal()[before:]]
    assert sorted(new) == ["beat: its move", "run: its move"]
    assert not list(loop.data.glob(".decision*")), "no decision file is left behind"


def test_a_beat_sweeps_decision_files_whose_decider_is_gone_and_keeps_a_live_ones(loop):
    loop.fake("sh", "true", moves="typed")
    loop.seed()
    dead = loop.data / ".decision-999999999-0badc0de.json"  # no such process: a killed beat's file
    live = loop.data / f".decision-{os.getpid()}-0badc0de.json"  # a decider still running
    for path in (dead, live):
        path.write_text('{"move": "noop"}\n')
    loop.run("tick")
    assert not dead.exists()
    assert live.read_text() == '{"move": "noop"}\n'
