"""The pulse is unkillable from inside, and looop signals only its own
processes: no move, worker, file or socket message ends the pulse, and a pid
read from a file is checked to be ours before anything is sent to it."""

from __future__ import annotations

import json

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
