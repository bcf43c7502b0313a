"""While sensors run, the user sees which ones; a bad config stops the beat first."""

from __future__ import annotations

import os
import selectors

from tests.fleet import kit

GATED = 'while [ ! -e "$GATE" ]; do sleep 0.05; done; echo \'{"signal": {"ok": true}}\''


def test_a_terminal_shows_a_live_line_of_the_sensors_still_running(loop):
    loop.fake("journal")
    loop.sensor("slowpoke", GATED)
    gate = loop.root / "gate"
    term = kit.Term(loop, "tick", "--dry-run", env={"GATE": str(gate)})
    try:
        term.expect("still running: slowpoke")
        assert b"\n" not in term.seen.split(b"sensing")[-1], "a live line redraws in place"
        gate.touch()
        assert term.wait() == 0
        term.expect("dry run: prompt written")
    finally:
        term.close()


def test_without_a_terminal_slow_sensing_is_plain_lines(loop):
    loop.fake("journal")
    loop.sensor("slowpoke", GATED)
    gate = loop.root / "gate"
    proc = loop.popen("tick", "--dry-run", env={"GATE": str(gate)})
    try:
        fd = proc.stdout.fileno()
        sel = selectors.DefaultSelector()
        sel.register(fd, selectors.EVENT_READ)
        seen = ""
        while "still running: slowpoke" not in seen:
            assert sel.select(20), seen
            chunk = os.read(fd, 65536).decode()
            assert chunk, seen
            seen += chunk
        gate.touch()
        rest, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    line = next(ln for ln in seen.splitlines() if "still running" in ln)
    assert "\r" not in seen and "\x1b[" not in seen
    assert line.split("] ", 1)[1].strip().startswith("sensing 1/2 done; still running: slowpoke")
    assert proc.returncode == 0, seen + rest


def test_a_fast_beat_shows_no_progress(loop):
    loop.fake("journal")
    out = loop.run("tick")
    assert out.returncode == 0 and "sensing" not in out.stdout


def test_a_bad_config_fails_before_any_sensor_runs(loop):
    loop.seed()
    marker = loop.root / "sensed"
    loop.sensor("witness", f"touch {marker}; echo '{{}}'")
    loop.config.write_text('{"default": "x", "runners": {"x": {}}}')
    out = loop.run("tick")
    assert out.returncode == 2 and str(loop.config) in out.stderr
    assert not marker.exists(), "the sensors ran although the config was bad"
