"""The pulse is unkillable from inside, and looop signals only its own
processes: no move, worker, file or socket message ends the pulse, and a pid
read from a file is checked to be ours before anything is sent to it."""

from __future__ import annotations

import json
import os
import subprocess

from tests.fleet.kit import gone, use_fake_worker, wait_for, wait_output


def _typed_pulse_config(loop, move: dict) -> None:
    source = loop.root / "move.json"
    source.write_text(json.dumps(move))
    use_fake_worker(loop, "decide-from", str(source), moves="typed")


def _pulse_pid(loop) -> int:
    return int((loop.data / ".lock" / "pid").read_text())


def test_a_kill_worker_move_naming_the_pulse_leaves_the_pulse_running(loop):
    _typed_pulse_config(loop, {"move": "kill_worker", "id": "pulse"})
    loop.seed()
    up = loop.run("up", env={"LOOOP_INTERVAL": "3600"})
    assert up.returncode == 0, up.stdout + up.stderr
    pid = _pulse_pid(loop)
    try:
        wait_for(lambda: "tick_failed" in loop.event_names() or gone(pid), timeout=30, what="the beat to end")
        assert not gone(pid), "the decider switched the loop off"
        failure = json.loads((loop.data / ".last-failure.json").read_text())
        assert "pulse" in failure["why"]
        assert not gone(pid), "the decider switched the loop off"
        assert json.loads(loop.run("status", "--json").stdout)["pulse"]["running"]
    finally:
        loop.run("down", "--grace", "1")
    wait_for(lambda: gone(pid), what="the pulse to end")


def test_an_oversize_attach_hello_leaves_the_supervisor_and_worker_running(loop):
    from looop.fleet import control, sessions
    from tests.fleet.kit import meta, start, status

    use_fake_worker(loop)
    loop.seed()
    start(loop, "big", "say", "ready", "hang")
    wait_output(loop, "big", "ready")
    session = sessions.Session(loop.data / "fleet" / "sessions" / "looop-big")
    for rows, cols in ((70000, 80), (24, 1 << 40), (-5, 99999)):
        with control.connect(session.sock) as sock:
            sock.sendall(control.json_frame(control.HELLO, {"op": "attach", "rows": rows, "cols": cols}))
            sock.recv(65536)
            sock.sendall(control.frame(control.RESIZE, b"\xff\xff\xff\xff"))
    sup, worker = meta(loop, "big")["supervisor_pid"], status(loop, "big")["worker_pid"]
    with control.connect(session.sock) as sock:  # still answering: a clean attach works
        sock.sendall(control.json_frame(control.HELLO, {"op": "attach", "rows": 30, "cols": 100}))
        reply = control.Reader()
        frames = []
        while not frames:
            frames = reply.feed(sock.recv(65536))
        assert json.loads(frames[0][1])["ok"]
    assert not gone(sup) and not gone(worker)
    assert loop.run("kill", "big").returncode == 0


def _foreground_pulse(loop):
    proc = loop.popen(env={"LOOOP_INTERVAL": "3600"})
    wait_for(lambda: (loop.data / ".pulse.json").exists(), timeout=30, what="the pulse's first beat")
    assert _pulse_pid(loop) == proc.pid
    return proc


def test_a_stale_lock_pid_after_kill_9_is_not_a_running_pulse_and_down_spares_its_new_owner(loop):
    loop.fake("journal")
    loop.seed()
    pulse = _foreground_pulse(loop)
    pulse.kill()
    pulse.wait()
    stranger = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        (loop.data / ".lock" / "pid").write_text(f"{stranger.pid}\n")  # the pid, reused
        snap = json.loads(loop.run("status", "--json").stdout)
        assert not snap["pulse"]["running"] and snap["pulse"]["pid"] is None
        down = loop.run("down", "--grace", "1")
        assert down.returncode == 0 and "no pulse running" in down.stdout
        assert stranger.poll() is None, "down signalled a process that is not the pulse"
        up = loop.run("up", env={"LOOOP_INTERVAL": "3600"})
        assert up.returncode == 0 and "pulse started" in up.stdout, up.stdout + up.stderr
        assert loop.run("down", "--grace", "1").returncode == 0
        assert stranger.poll() is None
    finally:
        stranger.kill()
        stranger.wait()


def test_a_lock_pid_overwritten_while_the_pulse_runs_names_the_real_pulse(loop):
    loop.fake("journal")
    loop.seed()
    pulse = _foreground_pulse(loop)
    stranger = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        (loop.data / ".lock" / "pid").write_text(f"{stranger.pid}\n")  # a worker's write
        assert json.loads(loop.run("status", "--json").stdout)["pulse"]["pid"] == pulse.pid
        down = loop.run("down", "--grace", "2")
        assert down.returncode == 0, down.stdout + down.stderr
        assert pulse.wait(timeout=10) is not None
        assert stranger.poll() is None, "down signalled the pid the file named, not the pulse"
    finally:
        stranger.kill()
        stranger.wait()
        pulse.kill()
        pulse.wait()


def test_a_bad_pulse_record_never_fails_status(loop):
    loop.fake("journal")
    loop.seed()
    pulse = _foreground_pulse(loop)
    try:
        for text in (f'{{"pid": {pulse.pid}, "wait_s": Infinity, "next_beat_epoch": 1e20}}',
                     f'{{"pid": {pulse.pid}, "wait_s": "soon", "next_beat_epoch": NaN}}',
                     f'{{"pid": {pulse.pid}, "wait_s": 1e400, "next_beat_epoch": -1e300}}'):
            (loop.data / ".pulse.json").write_text(text)
            for args in (["status"], ["status", "--json"]):
                out = loop.run(*args)
                assert out.returncode == 0 and "unexpected" not in out.stderr, (text, out.stderr)
            assert json.loads(loop.run("status", "--json").stdout)["pulse"]["running"]
    finally:
        pulse.kill()
        pulse.wait()


def test_a_forged_worker_pid_never_makes_prune_signal_a_stranger(loop):
    from tests.fleet.kit import session_dir, start, wait_state

    use_fake_worker(loop)
    loop.seed()
    start(loop, "done", "say", "bye", "exit", "0")
    wait_state(loop, "done", "exited")
    stranger = subprocess.Popen(["sleep", "60"], start_new_session=True)  # leads its own session, like tmux
    try:
        status_file = session_dir(loop, "done") / "status.json"
        record = json.loads(status_file.read_text())
        status_file.write_text(json.dumps({**record, "worker_pid": stranger.pid}))
        wait_for(lambda: not any(p for p in [json.loads((session_dir(loop, "done") / "meta.json").read_text())
                                             .get("supervisor_pid")] if not gone(p)), what="the supervisor to end")
        out = loop.run("prune")
        assert out.returncode == 0, out.stdout + out.stderr
        assert not session_dir(loop, "done").exists()
        assert stranger.poll() is None, "prune signalled a process group looop never started"
    finally:
        stranger.kill()
        stranger.wait()


def test_prune_of_a_symlinked_session_dir_removes_the_link_and_says_so_once(loop, tmp_path):
    from tests.fleet.kit import session_dir

    loop.fake("journal")
    loop.seed()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("not looop's\n")
    (elsewhere / "status.json").write_text(json.dumps({"state": "exited", "exit_code": 0}))
    link = session_dir(loop, "odd")
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(elsewhere)
    first = loop.run("prune")
    assert first.returncode == 0 and "odd" in first.stdout, first.stdout + first.stderr
    assert not os.path.lexists(link), "the link is gone"
    assert (elsewhere / "keep.txt").read_text() == "not looop's\n", "what it pointed at is untouched"
    again = loop.run("prune")
    assert "pruned 0" in again.stdout
