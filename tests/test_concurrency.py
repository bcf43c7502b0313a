"""Concurrency: one pulse per data dir, whole lines under contention, and a
manual run beside a pulse beat."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
from pathlib import Path

import pytest

from looop.core import fsio
from looop.records import cost
from tests.helpers import looop_argv, wait_for

ROUNDS = int(os.environ.get("LOOOP_RACE_ROUNDS", "50"))


@pytest.mark.soak
@pytest.mark.timeout(900)
def test_two_pulses_started_at_the_same_instant(loop):
    loop.fake("journal")
    loop.seed()
    (loop.data / "paused").touch()  # keep each beat trivial: this is about the lock
    go = loop.root / "go"
    argv = [*looop_argv()]
    barrier = 'touch "$0.ready.$$"; while [ ! -e "$0" ]; do :; done; exec "$@"'
    for round_no in range(ROUNDS):
        for stale in loop.root.glob("go*"):
            stale.unlink()
        procs = [subprocess.Popen(["sh", "-c", barrier, str(go), *argv],
                                  env={**loop.env, "LOOOP_INTERVAL": "30"}, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True, start_new_session=True) for _ in range(2)]
        try:
            wait_for(lambda: len(list(loop.root.glob("go.ready.*"))) == 2, 20, "both to be ready", every=0.002)
            go.touch()  # both are spinning: they start now
            wait_for(lambda procs=procs: any(p.poll() is not None for p in procs), 20, "one pulse to give up",
                     every=0.01)
            done = [p for p in procs if p.poll() is not None]
            assert len(done) == 1, f"round {round_no}: {len(done)} pulses exited"
            loser, winner = done[0], next(p for p in procs if p is not done[0])
            assert loser.returncode == 1 and "another looop pulse" in loser.stderr.read()
            winner.send_signal(signal.SIGTERM)
            assert winner.wait(30) == 0, f"round {round_no}"  # a loaded machine may be mid-beat
        finally:  # a failed round leaves no pulse behind
            for p in procs:
                if p.poll() is None:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
                p.stderr.close()  # type: ignore[union-attr]
    print(f"\n{ROUNDS} rounds: exactly one pulse ran each time")


def _journal_writer(path: str, tag: str, n: int) -> None:
    for i in range(n):
        fsio.append_line(Path(path), f"- 2026-01-01 00:00 {tag} move {i} " + "j" * 200)


def _ledger_writer(path: str, tag: str, n: int) -> None:
    for i in range(n):
        cost.record(Path(path), "session", f"{tag}-{i}", "pi", 0.001)


def test_workers_and_the_tick_append_at_once(tmp_path):
    journal, ledger = tmp_path / "journal.md", tmp_path / "cost.jsonl"
    shell = (f'for i in $(seq 1000); do printf -- "- 2026-01-01 00:00 sh$1 move $i %0200d\\n" 0 >> {journal}; done')
    procs = [multiprocessing.Process(target=_journal_writer, args=(str(journal), t, 1000)) for t in ("tick", "w1")]
    procs += [multiprocessing.Process(target=_ledger_writer, args=(str(ledger), t, 1000)) for t in ("tick", "w1", "w2")]
    shells = [subprocess.Popen(["bash", "-c", shell, "_", str(n)]) for n in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    for s in shells:
        assert s.wait(60) == 0
    lines = journal.read_text().splitlines()
    assert len(lines) == 4000
    assert all(ln.startswith("- 2026-01-01 00:00 ") and len(ln) > 200 for ln in lines)
    rows = [json.loads(x) for x in ledger.read_text().splitlines()]
    assert len(rows) == 3000 and len({r["id"] for r in rows}) == 3000


def test_manual_run_beside_a_pulse_beat_tears_nothing(loop):
    loop.fake("journal")
    loop.seed()
    loop.sensor("slow", 'sleep 1; echo "{\\"signal\\": \\"slow-$LOOOP_DATA_DIR\\"}"')
    loop.sensor("fast", 'echo "{\\"signal\\": 1}"')
    pulse = loop.popen(env={"LOOOP_INTERVAL": "30"}, stdout=subprocess.DEVNULL)
    try:
        wait_for(lambda: "tick_start" in loop.event_names(), 20, "the pulse's beat to start")
        out = loop.run("run", "setup")  # while the pulse is sensing
        assert out.returncode == 0, out.stdout + out.stderr
        wait_for(lambda: "decided" in [e["event"] for e in loop.events() if "goal" not in e], 20,
                 "the pulse's beat to decide")
        snaps = {p.name for p in (loop.data / "snapshots").iterdir()}
        assert {"sensor-slow.json", "sensor-fast.json", "sensor-today.json"} <= snaps
        assert json.loads((loop.data / "snapshots/sensor-slow.json").read_text())["signal"] == f"slow-{loop.data}"
        assert loop.calls() == 2
        manual = list((loop.data / "runs").glob("goal-setup-*/prompt.md"))
        beat = sorted((loop.data / "runs").glob("tick-*/prompt.md"))[-1]  # the first one is the seeding dry run
        assert len(manual) == 1
        for prompt in (manual[0], beat):
            assert "--- sensor-slow.json" in prompt.read_text() and "--- sensor-fast.json" in prompt.read_text()
    finally:
        pulse.send_signal(signal.SIGTERM)
        pulse.wait(10)


def test_secrets_in_the_environment_never_reach_loop_files(loop):
    secrets = {"GITHUB_TOKEN": "sekrit-gh-0001", "OPENAI_API_KEY": "sekrit-key-0002",
               "AWS_SECRET_ACCESS_KEY": "sekrit-aws-0003", "DB_PASSWORD": "sekrit-db-0004",
               "MY_SECRET": "sekrit-mine-0005"}
    loop.fake("attention", "need a human", "propose", "new rules", "cost", "0.5", "journal")
    ticked = loop.run("tick", env=secrets)
    status = loop.run("status", "--json", env=secrets)
    human = loop.run("status", env=secrets)
    shown = ticked.stdout + ticked.stderr + status.stdout + human.stdout
    files = [loop.data / "events.jsonl", loop.data / "cost.jsonl", loop.data / ".last-world.json",
             *(loop.data / "runs").rglob("prompt.md")]
    written = "".join(p.read_text() for p in files if p.exists())
    assert "NEEDS YOU" in ticked.stdout
    for value in secrets.values():
        assert value not in shown and value not in written
