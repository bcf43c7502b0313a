"""`looop start-session`: the prompt file, the launch, and the detached supervisor."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from tests.fleet import kit
from tests.helpers import looop_argv

NASTY = "it's \"quoted\" $(touch /tmp/pwned) `id` $HOME \\n\nsecond line\n\tthird 'x' \"\n"


def test_prompt_arrives_byte_for_byte_with_the_contract(loop):
    data = loop.root / "da'ta dir"
    loop.env["LOOOP_DATA_DIR"] = str(data)
    # The worker is found by bare name on the caller's PATH only: `bash -lc` must keep it.
    kit.use_fake_worker(loop, interactive="fake-worker {{prompt_file}}")
    env = {"PATH": f"{kit.FAKE_WORKER.parent}:{os.environ['PATH']}"}
    got, seen = loop.root / "got.md", loop.root / "env.txt"
    out = kit.start(loop, "nasty", "copy-prompt", str(got), "env", str(seen), "hang", prompt=NASTY, env=env)

    assert f"started nasty (runner: fake, cwd: {data})" in out.stdout
    assert "attach nasty " in out.stdout
    prompt_file = data / "prompts" / "looop-nasty.md"
    text = prompt_file.read_bytes()
    assert text.endswith(NASTY.encode())
    contract = text[: -len(NASTY)].decode()
    for rule in ("flag nasty", "unflag nasty", "kill nasty", "_cost session nasty fake", "reports/", "claims/",
                 "PLAYBOOK.md", "notifications"):
        assert rule in contract
    kit.wait_for(lambda: seen.exists() and got.exists(), what="the worker to report")
    assert got.read_bytes() == text
    lines = dict(ln.split("=", 1) for ln in seen.read_text().splitlines())
    assert lines["id"] == "looop-nasty"
    assert lines["cwd"] == str(data)
    assert lines["PATH"].startswith(str(kit.FAKE_WORKER.parent))
    assert lines["LOOOP_DATA_DIR"] == str(data)
    assert lines["REPORTS_DIR"] == str(data / "reports")
    assert os.path.isabs(lines["LOOOP_BIN"]) and os.access(lines["LOOOP_BIN"], os.X_OK)
    assert not Path("/tmp/pwned").exists()


def test_refuses_a_live_duplicate_and_reuses_a_finished_id(loop):
    kit.use_fake_worker(loop)
    kit.start(loop, "dup", "hang")
    first = kit.meta(loop, "dup")["started_epoch"]
    again = loop.run("start-session", "looop-dup", "again")
    assert again.returncode == 1
    assert "dup is already running; attach with: " in again.stderr and len(again.stderr.strip().splitlines()) == 1
    assert kit.meta(loop, "dup")["started_epoch"] == first

    assert loop.run("kill", "dup").returncode == 0
    kit.start(loop, "dup", "say", "second life", "hang")
    assert kit.meta(loop, "dup")["started_epoch"] > first
    kit.wait_output(loop, "dup", "second life")
    assert kit.status(loop, "dup")["state"] == "running"
    assert "session_pruned" in loop.event_names()


def test_ids_must_be_plain_names(loop):
    kit.use_fake_worker(loop)
    for bad in ("../up", "a/b", "-x", "two words", "looop-../x"):
        out = loop.run("start-session", "--", bad, "p") if bad.startswith("-") else loop.run("start-session", bad, "p")
        assert out.returncode == 1, bad
        assert "not a plain name" in out.stderr, (bad, out.stderr)
    assert not (kit.fleet_root(loop) / "sessions").exists() or not any((kit.fleet_root(loop) / "sessions").iterdir())


def test_a_missing_runner_is_named_before_anything_starts(loop):
    kit.use_fake_worker(loop, interactive="no-such-agent-cli --go {{prompt_file}}")
    out = loop.run("start-session", "w", "p")
    assert out.returncode == 1
    assert "no-such-agent-cli" in out.stderr
    assert not kit.session_dir(loop, "w").exists()


def test_the_worker_outlives_the_callers_process_group(loop):
    """The beat kills its runner's whole group; a worker the runner started must survive."""
    kit.use_fake_worker(loop)
    caller = subprocess.Popen(
        ["bash", "-c", 'FAKE_WORKER_MOVES="say alive hang" "$@"; sleep 60', "_", *looop_argv(),
         "start-session", "orphan", "p"],
        env=loop.env, cwd=loop.root, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kit.wait_state(loop, "orphan", "running")
    os.killpg(caller.pid, signal.SIGKILL)
    caller.wait()
    kit.wait_output(loop, "orphan", "alive")
    assert [w["state"] for w in kit.ls_json(loop)["sessions"]] == ["running"]

    sup = kit.meta(loop, "orphan")["supervisor_pid"]
    fields = Path(f"/proc/{sup}/stat").read_text().rsplit(")", 1)[1].split()
    pgrp, sid, tty_nr = int(fields[2]), int(fields[3]), int(fields[4])
    assert sid != caller.pid and pgrp == sid  # a session and group of its own (setsid)...
    assert tty_nr == 0  # ...with no controlling terminal
    for fd in (0, 1, 2):
        assert os.readlink(f"/proc/{sup}/fd/{fd}") == "/dev/null"


def test_the_worker_starts_with_default_signal_handling(loop):
    """`yes | head -1` must end `yes` by SIGPIPE, as in any terminal."""
    kit.use_fake_worker(loop, interactive='yes | head -1 >/dev/null; echo "yes ended: ${PIPESTATUS[0]}"; sleep 30')
    out = loop.run("start-session", "pipes", "p")
    assert out.returncode == 0, out.stderr
    assert "yes ended: 141" in kit.wait_output(loop, "pipes", "yes ended")


def test_the_optional_runner_argument_picks_the_runner(loop):
    kit.use_fake_worker(loop)
    out = loop.run("start-session", "named", "do it", "fake", env={"FAKE_WORKER_MOVES": "exit 0"})
    assert out.returncode == 0, out.stdout + out.stderr
    assert "started named (runner: fake" in out.stdout
    wrong = loop.run("start-session", "other", "do it", "nosuch")
    assert wrong.returncode == 2 and "runner 'nosuch' is not defined" in wrong.stderr
