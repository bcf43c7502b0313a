"""A beat is disposable: kill anything, anywhere, and nothing is lost.

Runs the real pulse against a runner that edits goals, appends journal lines,
reports spend and sometimes asks for another wait, and SIGKILLs it (or its
runner, or a sensor) at random moments. After every kill the data dir must be
whole and the next beat must succeed.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import time

import pytest

from looop.core import schemas
from looop.core.locks import PulseLock
from tests.helpers import wait_for

JOURNAL_LINE = re.compile(r"^- \d{4}-\d{2}-\d{2} \d{2}:\d{2} .+$")
# The cadence floor (1 s) makes one pulse beat about once a second: most beats
# here come from restarted pulses, each beating at once.
TARGET_BEATS = int(os.environ.get("LOOOP_CRASH_BEATS", "60"))


def _churn(loop):
    # every beat changes a goal, so every beat decides (and writes files)
    loop.write_config(
        f'{os.path.abspath("fixtures/runners/fake-runner")} goal churn "$RANDOM$RANDOM" cost 0.001 '
        '$( [ $((RANDOM % 12)) = 0 ] && echo next 5 ) journal "churned the goal"'
    )


def check_whole(loop) -> None:
    """Everything a user relies on parses; nothing is torn or half-written."""
    d = loop.data
    for line in (d / "journal.md").read_text().splitlines():
        assert JOURNAL_LINE.match(line), f"torn journal line: {line!r}"
    for name, schema in (("events.jsonl", "event"), ("cost.jsonl", "ledger")):
        path = d / name
        if path.exists():
            raw = path.read_bytes()
            assert raw == b"" or raw.endswith(b"\n"), f"{name} ends mid-line"
            for line in raw.decode().splitlines():
                assert schemas.is_valid(schema, json.loads(line)), line
    for state in (".last-world.json",):
        if (d / state).exists():
            json.loads((d / state).read_text())
    if (d / ".last-tick-hash").exists():
        assert re.fullmatch(r"[0-9a-f]{64}\n", (d / ".last-tick-hash").read_text())
    assert json.loads(loop.config.read_text())["default"] == "fake"
    for must in ("PLAYBOOK.md", "goals/setup.md", "sensors/today.sh", "journal.md"):
        assert (d / must).is_file(), must
    assert (d / "PLAYBOOK.md").read_bytes() == loop.approved.read_bytes()
    # a temp file may be left by a kill, but only beside the real file
    for run in (d / "runs").iterdir():
        assert run.name.startswith(".") or (run / "prompt.md").is_file(), f"{run} has no prompt"
    for tmp in d.rglob(".*.tmp"):
        if tmp.parent.name.startswith(".tick-"):
            continue  # a staging run dir: never visible as a run
        real = tmp.parent / tmp.name[1:].rsplit(".", 2)[0]
        assert real.exists(), f"{tmp} left where {real} should be"


def _beats(loop) -> int:
    try:
        return sum(1 for line in (loop.data / "events.jsonl").read_text().splitlines() if '"tick_start"' in line)
    except FileNotFoundError:
        return 0


@pytest.mark.soak
@pytest.mark.timeout(900)
def test_sigkill_the_pulse_at_random_moments(loop):
    # hundreds of decisions a minute is exactly what the hourly cap stops; lift it here
    loop.env["LOOOP_MAX_DECIDES_PER_HOUR"] = "0"
    _churn(loop)
    loop.seed()
    rng = random.Random(1234)
    kills = 0
    while _beats(loop) < TARGET_BEATS:
        before = _beats(loop)
        pulse = loop.popen(env={"LOOOP_INTERVAL": "0", "LOOOP_BUSY_INTERVAL": "0"}, stdout=open(os.devnull, "w"),
                           start_new_session=True)
        if rng.random() < 0.8:  # mostly mid-beat: wait for this pulse's beat to start, however slow the start
            wait_for(lambda before=before, pulse=pulse: _beats(loop) > before or pulse.poll() is not None, 20,
                     "the pulse's beat to start")
        time.sleep(rng.uniform(0.0, 1.2))
        assert pulse.poll() is None, f"the pulse ended by itself (exit {pulse.returncode}) before it was killed"
        os.killpg(os.getpgid(pulse.pid), signal.SIGKILL) if rng.random() < 0.5 else pulse.kill()
        pulse.wait(10)
        kills += 1
        check_whole(loop)
    print(f"\nsurvived {kills} SIGKILLs over {_beats(loop)} beats")
    assert PulseLock(loop.data / ".lock").holder() is None
    out = loop.run("tick")
    assert out.returncode == 0 and "decided in" in out.stdout, out.stdout + out.stderr
    check_whole(loop)


def test_sigkill_the_runner_fails_only_that_beat(loop):
    loop.fake("hang")
    loop.seed()
    pulse = loop.popen(env={"LOOOP_INTERVAL": "0"}, stdout=open(os.devnull, "w"))
    try:
        pid_file = loop.root / "runner-pid"
        wait_for(pid_file.exists, 20, "the runner to start")
        os.kill(int(pid_file.read_text()), signal.SIGKILL)
        wait_for(lambda: "tick_failed" in loop.event_names(), 20, "the beat to fail")
        assert pulse.poll() is None, "the pulse survives its runner"
    finally:
        pulse.send_signal(signal.SIGTERM)
        pulse.wait(10)
    check_whole(loop)
    loop.fake("journal")
    assert loop.run("tick").returncode == 0


def test_sigkill_a_sensor_is_a_reading_error(loop):
    loop.fake("journal")
    loop.seed()
    loop.sensor("victim", 'echo $$ > "$LOOOP_DATA_DIR/../victim-pid"; sleep 30; echo "{}"')
    proc = loop.popen("tick", stdout=open(os.devnull, "w"))
    pid_file = loop.root / "victim-pid"
    wait_for(lambda: pid_file.exists() and pid_file.read_text().strip(), 20, "the sensor to start")
    os.kill(int(pid_file.read_text()), signal.SIGKILL)
    assert proc.wait(20) == 0
    reading = json.loads((loop.data / "snapshots/sensor-victim.json").read_text())
    assert reading["looop_error"]["problem"] == "was killed by signal 9"


@pytest.mark.parametrize("how", ["full", "read-only"])
def test_disk_full_or_read_only_fails_cleanly(loop, tmp_path, how):
    import subprocess

    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        env = {"LOOOP_DATA_DIR": str(mnt / "data")}
        loop.fake("goal", "g", "$RANDOM", "journal")
        assert loop.run("tick", env=env).returncode == 0
        data = mnt / "data"
        before = {p: p.read_bytes() for p in data.rglob("*") if p.is_file() and ".git/" not in str(p)
                  and not str(p.relative_to(data)).startswith(("snapshots", "runs"))}
        if how == "full":
            with open(mnt / "filler", "wb") as fh:
                try:
                    while True:
                        fh.write(b"\0" * 65536)
                except OSError:
                    pass
        else:
            subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        (loop.root / "looop.json").write_text(loop.config.read_text())  # config lives outside, untouched
        out = loop.run("tick", env=env)
        assert out.returncode != 0
        assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
        assert ("No space left" in out.stderr) if how == "full" else ("Read-only" in out.stderr)
        for path, content in before.items():
            if path.name in ("events.jsonl", "tick.log", "cost.jsonl", ".valid-readings"):
                continue
            assert path.read_bytes() == content, f"{path} changed"
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_a_killed_pulse_never_leaves_a_second_move_running(loop):
    """SIGKILL the pulse mid-move: its runner is stopped by the next lock holder."""
    loop.fake("hang")
    loop.seed()
    pulse = loop.popen(stdout=open(os.devnull, "w"), start_new_session=True)
    pid_file = loop.root / "runner-pid"
    wait_for(pid_file.exists, 20, "the runner to start")
    runner = int(pid_file.read_text())
    # wait until it has stopped printing (it would die of SIGPIPE otherwise)
    wait_for(lambda: b"sleep" in open(f"/proc/{runner}/cmdline", "rb").read(), 20, "the runner to hang")
    pulse.kill()
    pulse.wait(10)
    assert os.path.exists(f"/proc/{runner}"), "the orphaned runner is still going"
    loop.fake("journal")
    out = loop.run("tick")
    assert out.returncode == 0
    assert "stopped 1 process(es) of a runner whose pulse had died" in out.stdout
    assert not os.path.exists(f"/proc/{runner}") or "Z" in open(f"/proc/{runner}/stat").read().rsplit(")", 1)[1][:3]


@pytest.mark.soak
def test_sigkill_worker_supervisors_at_random_moments(loop):
    """A supervisor killed at any moment (even mid-start, mid-flag, mid-flood)
    leaves parseable state; the next beat marks it dead, prunes it and reaps
    its claim."""
    from tests.fleet import kit

    kit.use_fake_worker(loop)
    loop.seed()
    rng = random.Random(99)
    for round_no in range(12):
        wid = f"w{round_no}"
        (loop.data / "claims" / f"{wid}.json").write_text(json.dumps({"session": f"looop-{wid}", "name": wid}))
        kit.start(loop, wid, "flag", "q?", "flood", "200000", "hang")
        time.sleep(rng.uniform(0, 0.3))
        supervisor = kit.meta(loop, wid)["supervisor_pid"]
        os.kill(supervisor, signal.SIGKILL)
        wait_for(lambda pid=supervisor: kit.gone(pid), what="the killed supervisor to be gone")
        session = kit.session_dir(loop, wid)
        for name in ("meta.json", "status.json"):
            json.loads((session / name).read_text())
        assert not list(session.glob(".*.tmp")) or (session / "status.json").exists()
        rows = {r["id"]: r for r in kit.ls_json(loop)["sessions"]}
        assert rows[f"looop-{wid}"]["state"] == "dead" and rows[f"looop-{wid}"]["alive"] is False
        out = loop.run("tick")
        assert out.returncode == 0, out.stdout + out.stderr
        assert not session.exists(), "pruned by the beat"
        assert not (loop.data / "claims" / f"{wid}.json").exists(), "its claim was reaped"
        check_whole(loop)


MAILBOX_RECORDS = (("asks", "ask"), ("answers", "answer"), ("tells", "tell"), ("tells/consumed", "tell"))


def check_mailbox_whole(loop) -> int:
    """Every ask, answer and tell that exists is whole and valid; a killed
    writer leaves at most a hidden temp file, never a torn record."""
    count = 0
    for directory, schema in MAILBOX_RECORDS:
        d = loop.data / directory
        if not d.is_dir():
            continue
        for path in d.iterdir():
            if path.is_dir() and path.name == "consumed":
                continue
            if path.name.startswith("."):
                assert path.name.endswith(".tmp"), f"{path}: an unexpected hidden file"
                continue
            assert path.name.endswith(".json"), path
            record = json.loads(path.read_text())
            assert schemas.problems(schema, record) == [], (path, record)
            count += 1
    return count


def test_sigkill_the_mailbox_at_random_moments(loop):
    """ask, answer, tell and told killed -9 at any moment leave nothing half written."""
    from tests.fleet import kit

    kit.use_fake_worker(loop, "journal")
    loop.seed()
    kit.start(loop, "crash", "hang")
    kit.wait_state(loop, "crash", "running")
    rng = random.Random(4321)
    rounds = int(os.environ.get("LOOOP_CRASH_MAILBOX_ROUNDS", "60"))
    started = time.monotonic()  # how long one whole write takes on this machine, now
    assert loop.run("tell", "crash", "warm-up").returncode == 0
    whole = time.monotonic() - started
    for n in range(rounds):
        pending = sorted(p.stem for p in (loop.data / "asks").glob("*.json")
                         if not (loop.data / "answers" / p.name).exists()) if (loop.data / "asks").is_dir() else []
        verb = rng.choice(["ask", "ask", "answer", "tell", "told"])
        if verb == "ask":
            args = ["ask", "--worker", f"w{n % 3}", "--prompt", f"question {n}?" * rng.randint(1, 2000)]
        elif verb == "answer" and pending:
            args = ["answer", rng.choice(pending), *(["--force"] if rng.random() < 0.3 else []), "x" * rng.randint(1, 60000)]
        elif verb == "told":
            args = ["told", "--worker", "crash"]
        else:
            args = ["tell", "crash", f"message {n} " * rng.randint(1, 3000)]
        proc = loop.popen(*args, stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))
        time.sleep(rng.uniform(0.4, 1.2) * whole)  # around the moment it writes
        proc.kill()
        proc.wait(10)
        check_mailbox_whole(loop)
    assert check_mailbox_whole(loop) > 1, "no killed writer got as far as writing: the kills came too early"
    listed = loop.run("asks", "--json", "--all")
    assert listed.returncode == 0 and schemas.problems("asks", json.loads(listed.stdout)) == []
    assert loop.run("tick").returncode == 0
